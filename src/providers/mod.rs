//! The vendors pbxlink links: their guides (text loaded from `assets/guides/`), their fields, and
//! the pure interpretation of their API answers. Nothing here does I/O: `validate` sends the
//! requests and hands the answers back to these functions.

pub mod crm_integration;
pub mod crm_template;
pub mod cxengine;
pub mod eightbyeight;
pub mod host;
pub mod principals;
pub mod threecx;

use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

use crate::report::FailureKind;

/// A vendor pbxlink can link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProviderId {
    ThreeCx,
    EightByEight,
    CxEngine,
}

impl ProviderId {
    /// Every provider, in the order the TUI offers their guides.
    pub const ALL: &'static [ProviderId] = &[ProviderId::ThreeCx, ProviderId::EightByEight, ProviderId::CxEngine];

    /// The name used in profiles and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ThreeCx => "3cx",
            Self::EightByEight => "8x8",
            Self::CxEngine => "cx-engine",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|p| p.as_str() == s)
    }

    pub fn guide(self) -> &'static Guide {
        static THREECX: OnceLock<Guide> = OnceLock::new();
        static EIGHTBYEIGHT: OnceLock<Guide> = OnceLock::new();
        static CXENGINE: OnceLock<Guide> = OnceLock::new();
        match self {
            Self::ThreeCx => THREECX.get_or_init(|| Guide::parse(include_str!("../../assets/guides/3cx.toml"))),
            Self::EightByEight => {
                EIGHTBYEIGHT.get_or_init(|| Guide::parse(include_str!("../../assets/guides/8x8.toml")))
            }
            Self::CxEngine => CXENGINE.get_or_init(|| Guide::parse(include_str!("../../assets/guides/cx-engine.toml"))),
        }
    }
}

/// What a guide step asks of the user. The wizard's behaviour is keyed on this; the words are data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// Read, tick every item with Space, continue.
    Confirm,
    /// One or more input fields.
    Form,
    /// Read and continue.
    Info,
    /// An explicit acknowledgement (a tick box that Enter alone cannot pass).
    Ack,
    /// Choose one or more of the listed items (Space ticks); at least one.
    Select,
    /// Choose exactly one of the step's `choices` (a choice with `refuse` set is explained, never taken).
    Choose,
    /// Optionally link a saved 3CX profile (CX-Engine: the PBX the connector belongs to).
    Link,
    /// Live validation of the values entered so far.
    Validate,
    /// Name the profile, review the values (redacted) and save.
    Review,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Step {
    pub id: String,
    pub kind: StepKind,
    pub title: String,
    pub body: String,
    #[serde(default)]
    pub fields: Vec<String>,
    #[serde(default)]
    pub confirm: Vec<String>,
    /// Shown when Enter is pressed before every item is ticked.
    #[serde(default)]
    pub refuse: String,
    /// A caution shown on the step (e.g. 3CX's one-token rule on validation).
    #[serde(default)]
    pub warning: String,
    /// A caution shown on the step only when a 3CX profile is linked.
    #[serde(default)]
    pub link_warning: String,
    /// The options of a `choose` step.
    #[serde(default)]
    pub choices: Vec<Choice>,
    /// Plain mode's wording: phrases of this step's text (body, refusal, its fields' placeholders)
    /// that name keys of the full-screen UI, and what line prompts say instead.
    #[serde(default)]
    pub plain: BTreeMap<String, String>,
}

impl Step {
    /// `text` (this step's body, refusal, or a placeholder of its fields) as plain mode says it.
    pub fn plain_text(&self, text: &str) -> String {
        self.plain.iter().fold(text.to_string(), |t, (from, to)| t.replace(from.as_str(), to))
    }
}

/// One option of a `choose` step.
#[derive(Debug, Clone, Deserialize)]
pub struct Choice {
    /// The value stored in the profile (`authorization_code`).
    pub id: String,
    pub label: String,
    /// One line under the label: when to use it.
    #[serde(default)]
    pub note: String,
    /// Set for an option the vendor does not support: choosing it shows this and stays.
    #[serde(default)]
    pub refuse: Option<String>,
}

impl StepKind {
    /// A step whose answer is part of the profile (what editing a profile opens on).
    pub fn holds_values(self) -> bool {
        matches!(self, Self::Form | Self::Choose)
    }
}

/// How a field's input is cleaned and checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    /// A host or pasted URL, normalised by [`host::normalise_host`] and shown back live.
    Host,
    /// An identifier: trimmed, no whitespace or control characters inside.
    Id,
    /// A secret: masked on screen, trimmed, never altered otherwise.
    Secret,
    /// An `https://` URL whose scheme is kept (CX-Engine), normalised like a host and shown back live.
    Url,
    /// A local file path; Tab completes it. May be left empty when the step says so.
    Path,
}

#[derive(Debug, Clone, Deserialize)]
pub struct FieldSpec {
    pub label: String,
    #[serde(default)]
    pub placeholder: String,
    pub kind: FieldKind,
    /// A prefix values usually have; when missing, `expect_note` is shown (a hint, never a refusal).
    #[serde(default)]
    pub expect_prefix: Option<String>,
    #[serde(default)]
    pub expect_note: String,
}

impl FieldSpec {
    /// The soft hint for `value` (trimmed): `expect_note` when the value lacks the expected prefix.
    /// Every front end (the TUI, plain mode, scripted `add`) shows it the same way, never refusing.
    pub fn soft_note(&self, value: &str) -> Option<&str> {
        let v = value.trim();
        let prefix = self.expect_prefix.as_deref()?;
        (!v.is_empty() && !v.starts_with(prefix)).then_some(self.expect_note.as_str())
    }
}

/// A product an API app can be granted (8x8).
#[derive(Debug, Clone, Deserialize)]
pub struct ProductSpec {
    /// As stored in profiles and given to `--products`.
    pub id: String,
    pub name: String,
    /// Names a token may use for it, matched case-insensitively as substrings.
    pub grants: Vec<String>,
    /// The codes in `grants` only resemble the product (undocumented): when none is in a token's
    /// list, the product is "not checked", never failed.
    #[serde(default)]
    pub inferred: bool,
    /// Which regional address scheme its API follows (8x8: `analytics` or `storage`).
    #[serde(default)]
    pub family: Option<String>,
    /// The cheapest read of its own API (`{prefix}` or `{region}` replaced), when there is one.
    #[serde(default)]
    pub probe: Option<String>,
    /// Why there is no probe, shown as "not checked".
    #[serde(default)]
    pub no_probe: String,
}

/// A vendor's guide as loaded from its asset file.
#[derive(Debug, Clone, Deserialize)]
pub struct Guide {
    pub provider: String,
    pub name: String,
    pub title: String,
    pub summary: String,
    pub steps: Vec<Step>,
    #[serde(default)]
    pub fields: BTreeMap<String, FieldSpec>,
    /// Check id → title shown while validating.
    pub checks: BTreeMap<String, String>,
    /// Failure kind name → the fix, in the vendor's words.
    pub hints: BTreeMap<String, String>,
    /// Check id → what it says when it cannot check (why, and who can).
    #[serde(default)]
    pub notes: BTreeMap<String, String>,
    #[serde(default)]
    pub products: Vec<ProductSpec>,
}

impl Guide {
    /// Parses a guide asset. The assets are compiled in and covered by tests, so a broken one is a
    /// build defect, not a user error: it panics with the parse error.
    fn parse(text: &str) -> Guide {
        match toml::from_str::<Guide>(text) {
            Ok(g) => g,
            Err(e) => panic!("guide asset is invalid: {e}"),
        }
    }

    pub fn field(&self, id: &str) -> &FieldSpec {
        static FALLBACK: OnceLock<FieldSpec> = OnceLock::new();
        self.fields.get(id).unwrap_or_else(|| {
            FALLBACK.get_or_init(|| FieldSpec {
                label: "?".into(),
                placeholder: String::new(),
                kind: FieldKind::Id,
                expect_prefix: None,
                expect_note: String::new(),
            })
        })
    }

    /// A product's display name from its id (the id itself when unknown).
    pub fn product_name(&self, id: &str) -> String {
        self.products.iter().find(|p| p.id == id).map_or_else(|| id.to_string(), |p| p.name.clone())
    }

    pub fn check_title(&self, id: &str) -> String {
        self.checks.get(id).cloned().unwrap_or_else(|| id.to_string())
    }

    /// The note of check `id` (see `notes`), or nothing.
    pub fn note(&self, id: &str) -> String {
        self.notes.get(id).cloned().unwrap_or_default()
    }

    pub fn hint(&self, kind: FailureKind) -> String {
        self.hints.get(kind.as_str()).cloned().unwrap_or_default()
    }

    /// The fix for `kind` failing at check `at`: a step-specific hint (`"access.unauthorized"`)
    /// when the guide has one, else the kind's general hint.
    pub fn hint_at(&self, at: &str, kind: FailureKind) -> String {
        self.hints.get(&format!("{at}.{}", kind.as_str())).cloned().unwrap_or_else(|| self.hint(kind))
    }
}

/// What the engine hands to an interpreter: the parts of an HTTP answer that matter, with the body
/// already read (and bounded).
#[derive(Debug, Clone, Default)]
pub struct Answer {
    pub status: u16,
    pub location: Option<String>,
    pub retry_after: Option<String>,
    pub content_type: Option<String>,
    /// `X-3CX-Version`.
    pub version: Option<String>,
    pub body: Vec<u8>,
}

/// A failed step: its kind and a one-line detail for the user (never containing a secret).
pub type Failure = (FailureKind, String);

/// The failure every vendor shares for a non-2xx status; `None` for 2xx.
pub fn status_failure(a: &Answer) -> Option<Failure> {
    let s = a.status;
    let kind = match s {
        200..=299 => return None,
        300..=399 => {
            let to = a.location.as_deref().map(redirect_target).unwrap_or_else(|| "elsewhere".into());
            return Some((
                FailureKind::BadResponse,
                format!("HTTP {s}: redirected to {to}; not followed, credentials are never re-sent"),
            ));
        }
        401 => FailureKind::Unauthorized,
        403 => FailureKind::Forbidden,
        404 | 405 | 410 => FailureKind::NotFound,
        429 => {
            let wait = a.retry_after.as_deref().map(|r| format!("; retry after {r} s")).unwrap_or_default();
            return Some((FailureKind::RateLimited, format!("HTTP 429 Too Many Requests{wait}")));
        }
        500..=599 => FailureKind::ServerError,
        _ => FailureKind::BadResponse,
    };
    let msg = server_message(&a.body).map(|m| format!(": {m}")).unwrap_or_default();
    Some((kind, format!("HTTP {s}{msg}")))
}

/// Only the scheme and host of a redirect target: its path or query might carry anything.
fn redirect_target(location: &str) -> String {
    let after = location.split_once("://").map(|(s, r)| (s, r.split(['/', '?', '#']).next().unwrap_or("")));
    match after {
        Some((scheme, host)) => format!("{scheme}://{}", host.rsplit('@').next().unwrap_or(host)),
        None => "a path on the same server".into(),
    }
}

/// A short human message from an OAuth (`error_description`, `error`), OData (`error.message`) or
/// plain (`message`) error body, cut to one line.
pub fn server_message(body: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let pick = |v: &serde_json::Value, k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
    let msg = pick(&v, "error_description")
        .or_else(|| v.get("error").and_then(|e| pick(e, "message")))
        .or_else(|| pick(&v, "error"))
        .or_else(|| pick(&v, "message"))
        .or_else(|| pick(&v, "Error"))?;
    Some(one_line(&msg, 160))
}

/// The payload (claims) of a JWT-shaped token (`header.payload.signature`, base64url), decoded
/// without verifying anything: for display only, never trusted. `None` when it is not one.
pub fn jwt_payload(token: &str) -> Option<serde_json::Value> {
    use base64::Engine;
    let mut parts = token.split('.');
    let (_header, payload, _signature) = (parts.next()?, parts.next()?, parts.next()?);
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    serde_json::from_slice::<serde_json::Value>(&bytes).ok().filter(serde_json::Value::is_object)
}

/// Collapses whitespace and control characters and cuts to `max` characters, so that text from a
/// server can never move the cursor or break a line in the TUI or a log.
pub fn one_line(s: &str, max: usize) -> String {
    let mut out = String::new();
    for w in s.split(|c: char| c.is_whitespace() || c.is_control()).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    if out.chars().count() > max {
        out = out.chars().take(max.saturating_sub(1)).collect::<String>() + "…";
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_guide_parses_and_is_complete() {
        for p in ProviderId::ALL {
            let g = p.guide();
            assert_eq!(g.provider, p.as_str());
            for s in &g.steps {
                for f in &s.fields {
                    assert!(g.fields.contains_key(f), "{}: field {f} has no spec", s.id);
                }
                if matches!(s.kind, StepKind::Confirm | StepKind::Ack | StepKind::Select) {
                    assert!(!s.confirm.is_empty() && !s.refuse.is_empty(), "{}", s.id);
                }
                if s.kind == StepKind::Choose {
                    assert!(s.choices.iter().any(|c| c.refuse.is_none()), "{}: nothing to choose", s.id);
                }
                if s.kind == StepKind::Select {
                    let names: Vec<&str> = g.products.iter().map(|p| p.name.as_str()).collect();
                    assert_eq!(
                        s.confirm.iter().map(String::as_str).collect::<Vec<_>>(),
                        names,
                        "products listed in order"
                    );
                }
            }
            for k in FailureKind::ALL {
                assert!(!g.hint(k).is_empty(), "{}: no hint for {k}", g.provider);
            }
            // A product is probed at a documented address, or says why it is not.
            for p in &g.products {
                assert!(p.probe.is_some() == p.no_probe.is_empty(), "{}: probe or no_probe", p.id);
                assert!(p.probe.is_none() || p.family.is_some(), "{}: a probe needs its address family", p.id);
            }
            // A failing proxy is blamed with the proxy's fix, never the server's port.
            assert_ne!(g.hint_at("proxy", FailureKind::Connect), g.hint(FailureKind::Connect), "{}", g.provider);
        }
    }

    /// Plain mode never tells the user to press a key only the full-screen UI has, and each of
    /// its phrases still matches the text it replaces (a reworded asset cannot leave it stale).
    #[test]
    fn plain_wording_names_no_tui_keys() {
        const TUI_KEYS: [&str; 6] = ["Space", "Tab", "Esc", "Ctrl", "PgUp", "PgDn"];
        for p in ProviderId::ALL {
            let g = p.guide();
            for s in &g.steps {
                let placeholders: Vec<&str> = s.fields.iter().map(|f| g.field(f).placeholder.as_str()).collect();
                let mut texts: Vec<&str> = vec![&s.body, &s.refuse, &s.warning, &s.link_warning];
                texts.extend(&placeholders);
                texts.extend(s.confirm.iter().map(String::as_str));
                texts.extend(s.choices.iter().flat_map(|c| [&c.label, &c.note]).map(String::as_str));
                texts.extend(s.choices.iter().filter_map(|c| c.refuse.as_deref()));
                for from in s.plain.keys() {
                    assert!(texts.iter().any(|t| t.contains(from.as_str())), "{}: stale plain phrase {from:?}", s.id);
                }
                for t in texts {
                    let said = s.plain_text(t);
                    assert!(!said.contains("Up and Down"), "{}: {said}", s.id);
                    let words: Vec<&str> = said.split(|c: char| !c.is_alphanumeric()).collect();
                    for key in TUI_KEYS {
                        assert!(!words.contains(&key), "{}/{}: plain mode would say {key:?}: {said}", g.provider, s.id);
                    }
                }
            }
        }
    }

    #[test]
    fn status_mapping() {
        let a = |status| Answer { status, ..Default::default() };
        assert_eq!(status_failure(&a(200)), None);
        assert_eq!(status_failure(&a(401)).map(|f| f.0), Some(FailureKind::Unauthorized));
        assert_eq!(status_failure(&a(403)).map(|f| f.0), Some(FailureKind::Forbidden));
        assert_eq!(status_failure(&a(404)).map(|f| f.0), Some(FailureKind::NotFound));
        assert_eq!(status_failure(&a(502)).map(|f| f.0), Some(FailureKind::ServerError));
        let r = Answer { status: 429, retry_after: Some("30".into()), ..Default::default() };
        assert_eq!(
            status_failure(&r),
            Some((FailureKind::RateLimited, "HTTP 429 Too Many Requests; retry after 30 s".into()))
        );
        let redirect =
            Answer { status: 302, location: Some("https://u:p@evil.example/x?key=1".into()), ..Default::default() };
        let (k, d) = status_failure(&redirect).expect("redirect");
        assert_eq!(k, FailureKind::BadResponse);
        assert!(d.contains("https://evil.example") && !d.contains("key=1") && !d.contains("u:p"), "{d}");
    }

    #[test]
    fn server_messages_are_one_line() {
        let b = br#"{"error":"unauthorized","error_description":"The request requires\nvalid user authentication."}"#;
        assert_eq!(server_message(b).as_deref(), Some("The request requires valid user authentication."));
        let odata = br#"{"error":{"code":"Forbidden","message":"Access denied"}}"#;
        assert_eq!(server_message(odata).as_deref(), Some("Access denied"));
        assert_eq!(server_message(b"<html>"), None);
        assert_eq!(one_line("a\u{1b}[2Jb", 50), "a [2Jb");
    }
}
