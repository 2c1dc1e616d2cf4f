//! `pbxlink token`'s vendor side: a new access token for a profile from its vendor's own
//! sign-in, how long it lasts (only as far as the answer says it; a unit nobody agrees on counts
//! as the shorter reading), whether a kept one still works, and which tokens a cache may share.

use secrecy::{ExposeSecret, SecretString};

use super::{ProviderId, cxengine, eightbyeight, threecx};
use crate::profile::Profile;
use crate::report::Report;
use crate::validate::Options;

/// A token just issued.
pub struct Issued {
    pub access_token: SecretString,
    /// Seconds it lasts from now, when the answer says so.
    pub lifetime: Option<u64>,
    /// What issuing it did to others, said on stderr (3CX: it ended the Client ID's other token).
    pub note: Option<String>,
    /// 3CX's session, holding the Client ID's one-token lock until this is dropped.
    _session: Option<crate::validate::session::Session>,
}

/// Why no token can be asked for this profile at all (a configuration matter, exit 2).
pub fn unsupported(profile: &Profile) -> Option<String> {
    let code_flow =
        profile.values.text(cxengine::AUTH_METHOD) == Some(cxengine::AuthMethod::AuthorizationCode.as_str());
    (ProviderId::CxEngine.owns(profile) && code_flow).then(|| {
        "an Authorization Code profile's tokens go to 3CX through the browser (Authorize); pbxlink can ask CX-Engine only for a client-credentials token".to_string()
    })
}

/// A new token for `profile` (its secret already read: [`Profile::resolved`]).
pub async fn issue(profile: &Profile, opts: &Options) -> Result<Issued, Report> {
    let opts = opts.for_profile(profile);
    let unreadable = || super::unreadable(&profile.provider, &mut |_| {});
    match ProviderId::of(profile) {
        Some(ProviderId::ThreeCx) => {
            let cx = threecx::ThreeCx::of(profile).ok_or_else(unreadable)?;
            let (session, tok) = threecx::check::issue(&cx, &opts).await?;
            let lifetime = match tok.lifetime {
                threecx::Lifetime::Claims(secs) => Some(secs),
                threecx::Lifetime::Until(exp) => Some(exp.saturating_sub(crate::clock::now_secs())),
                // Minutes or seconds: the shorter reading, so a kept token is never one that ended.
                threecx::Lifetime::Stated(s) => s.trim().parse::<u64>().ok(),
                threecx::Lifetime::Unknown => None,
            };
            let note = format!(
                "note: 3CX keeps one token per Client ID: this new token ended the one any other program using Client ID {} held",
                cx.client_id
            );
            Ok(Issued { access_token: tok.access_token, lifetime, note: Some(note), _session: Some(session) })
        }
        Some(ProviderId::EightByEight) => {
            let e = eightbyeight::EightByEight::of(profile).ok_or_else(unreadable)?;
            let tok = eightbyeight::check::issue(&e, &opts).await?;
            Ok(Issued { access_token: tok.access_token, lifetime: tok.seconds, note: None, _session: None })
        }
        Some(ProviderId::CxEngine) => {
            let c = cxengine::CxEngine::of(profile).ok_or_else(unreadable)?;
            let (access_token, lifetime) = cxengine::check::issue(&c, &opts).await?;
            Ok(Issued { access_token, lifetime, note: None, _session: None })
        }
        None => Err(unreadable()),
    }
}

/// The address `pbxlink api` sends a profile's requests to (its paths are the vendor's own):
/// 3CX's domain, 8x8's API host, the CX-Engine URL.
pub fn api_address(profile: &Profile) -> Option<String> {
    match ProviderId::of(profile)? {
        ProviderId::ThreeCx => threecx::ThreeCx::of(profile).map(|x| x.domain),
        ProviderId::EightByEight => eightbyeight::EightByEight::of(profile).map(|e| e.host().to_string()),
        ProviderId::CxEngine => cxengine::CxEngine::of(profile).map(|c| c.base_url),
    }
}

/// Whether a kept token still works. 3CX ends a token whenever anybody asks for a new one with
/// the same Client ID, so a kept 3CX token is tried with its cheapest read first; the others
/// last their stated lifetime.
pub async fn still_works(profile: &Profile, opts: &Options, token: &SecretString) -> bool {
    match ProviderId::of(profile) {
        Some(ProviderId::ThreeCx) => match threecx::ThreeCx::of(profile) {
            Some(cx) => threecx::check::still_reads(&cx, &opts.for_profile(profile), token.expose_secret()).await,
            None => false,
        },
        _ => true,
    }
}

/// What a kept token belongs to: the vendor, the address, the client and its secret (so a
/// changed key never reuses the old key's token), hashed.
pub fn cache_key(profile: &Profile) -> String {
    use ring::digest::{SHA256, digest};
    let mut parts = vec![profile.provider.clone()];
    for def in profile.schema.map(|s| s.fields).unwrap_or_default() {
        match profile.values.get(def.key) {
            Some(crate::profile::schema::Value::Text(t)) => parts.push(format!("{}={t}", def.key)),
            Some(crate::profile::schema::Value::Secret(s)) => parts.push(format!("{}={}", def.key, s.expose_secret())),
            _ => {}
        }
    }
    let d = digest(&SHA256, parts.join("\n").as_bytes());
    d.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}
