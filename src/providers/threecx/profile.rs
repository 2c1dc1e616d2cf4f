//! 3CX's profile: its fields (the domain, the integration's Client ID and its API key), its guide,
//! and the typed view the validation sequence and the principal commands read.

use secrecy::SecretString;
use std::sync::OnceLock;

use crate::guide::{FieldKind, Guide};
use crate::profile::Profile;
use crate::profile::schema::{FieldDef, Kind, Schema, Value, Values};

/// The provider name in profiles and on the command line.
pub const PROVIDER: &str = "3cx";
pub const DOMAIN: &str = "domain";
pub const CLIENT_ID: &str = "client_id";
pub const API_KEY: &str = "api_key";

pub static SCHEMA: Schema = Schema {
    provider: PROVIDER,
    name: "3CX",
    guide,
    fields: &[
        FieldDef::new(DOMAIN, Kind::Text(FieldKind::Host))
            .help("3CX domain, or the URL from the browser's address bar"),
        FieldDef::new(CLIENT_ID, Kind::Text(FieldKind::Id)).help("the DN of the API integration"),
        FieldDef::new(API_KEY, Kind::Text(FieldKind::Secret)).help("the API key"),
    ],
    target: DOMAIN,
};

pub fn guide() -> &'static Guide {
    static GUIDE: OnceLock<Guide> = OnceLock::new();
    GUIDE.get_or_init(|| Guide::parse(include_str!("../../../assets/guides/3cx.toml")))
}

/// A 3CX profile's values.
#[derive(Debug, Clone)]
pub struct ThreeCx {
    /// host[:port], in normal form, never a scheme.
    pub domain: String,
    pub client_id: String,
    pub api_key: SecretString,
}

impl ThreeCx {
    /// The 3CX values of `p`, when it is a 3CX profile.
    pub fn of(p: &Profile) -> Option<ThreeCx> {
        if !std::ptr::eq(p.schema?, &SCHEMA) {
            return None;
        }
        Some(ThreeCx {
            domain: p.values.text(DOMAIN)?.to_string(),
            client_id: p.values.text(CLIENT_ID)?.to_string(),
            api_key: p.values.secret(API_KEY)?.clone(),
        })
    }

    /// A profile named `name` that signs in to `base`'s PBX (with its CA) as the service principal
    /// `number` (its Client ID) with the app token `token`.
    pub fn for_token(
        base: &Profile,
        number: Option<&str>,
        token: &SecretString,
        name: &str,
    ) -> Result<Profile, crate::report::Refusal> {
        // The base's own key may be read at use (a reference): only its address is taken.
        let domain = match base.values.text(DOMAIN) {
            Some(d) if std::ptr::eq(base.schema.unwrap_or(&SCHEMA), &SCHEMA) => d.to_string(),
            _ => return Err("not a 3CX profile".into()),
        };
        let client_id = number
            .ok_or("the PBX did not say this principal's Number (Client ID): copy the token instead")?
            .to_string();
        Ok(ThreeCx { domain, client_id, api_key: token.clone() }.profile(name, base.ca_file.clone()))
    }

    /// A profile named `name` holding these values.
    pub fn profile(&self, name: &str, ca_file: Option<std::path::PathBuf>) -> Profile {
        let mut v = Values::default();
        v.set(DOMAIN, Value::Text(self.domain.clone()));
        v.set(CLIENT_ID, Value::Text(self.client_id.clone()));
        v.set(API_KEY, Value::Secret(self.api_key.clone()));
        Profile::new(name, &SCHEMA, v, ca_file)
    }
}
