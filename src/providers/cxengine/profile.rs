//! CX-Engine's profile: its fields (the address, 3CX's sign-in method, the API client, the Account
//! ID, the CRM template and the 3CX profile it belongs to), its guide, and the typed view the
//! validation sequence reads.

use secrecy::SecretString;
use std::path::PathBuf;
use std::sync::OnceLock;

use super::AuthMethod;
use crate::guide::{FieldKind, Guide};
use crate::profile::Profile;
use crate::profile::schema::{FieldDef, Kind, Schema, Value, Values};

/// The profile's keys, each written once: the schema, the typed view and the unit use these.
pub const BASE_URL: &str = "base_url";
pub const AUTH_METHOD: &str = "auth_method";
pub const CLIENT_ID: &str = "client_id";
pub const CLIENT_SECRET: &str = "client_secret";
pub const ACCOUNT_ID: &str = "account_id";
pub const TEMPLATE_PATH: &str = "template_path";
pub const PBX_PROFILE: &str = "pbx_profile";

pub static SCHEMA: Schema = Schema {
    provider: "cx-engine",
    name: "CX-Engine",
    guide,
    fields: &[
        FieldDef::new(BASE_URL, Kind::Text(FieldKind::Url))
            .help("the workspace or central address (https://mycompany.cx-engine.app)"),
        FieldDef::new(AUTH_METHOD, Kind::Choice).help("how 3CX authorises (authorization_code or client_credentials)"),
        FieldDef::new(CLIENT_ID, Kind::Text(FieldKind::Id)).help("the API client's Client ID"),
        FieldDef::new(CLIENT_SECRET, Kind::Text(FieldKind::Secret)).help("the Client Secret"),
        FieldDef::new(ACCOUNT_ID, Kind::Text(FieldKind::Id))
            .help("the Account ID (the CX-Engine client ID shown under Clients)"),
        FieldDef::new(TEMPLATE_PATH, Kind::File(&super::template::FILE))
            .optional()
            .flag_name("template")
            .help("the downloaded CRM template (CXEngine.xml), checked before saving"),
        FieldDef::new(PBX_PROFILE, Kind::Link { provider: crate::providers::threecx::PROVIDER })
            .optional()
            .help("the 3CX profile this connector belongs to"),
    ],
    target: BASE_URL,
};

pub fn guide() -> &'static Guide {
    static GUIDE: OnceLock<Guide> = OnceLock::new();
    GUIDE.get_or_init(|| Guide::parse(include_str!("../../../assets/guides/cx-engine.toml")))
}

/// A CX-Engine profile's values.
#[derive(Debug, Clone)]
pub struct CxEngine {
    /// `https://host[:port]` of the workspace or central address.
    pub base_url: String,
    pub auth_method: AuthMethod,
    pub client_id: String,
    pub client_secret: SecretString,
    /// The CX-Engine client ID shown under Clients, which 3CX's template asks for.
    pub account_id: String,
    pub template_path: Option<PathBuf>,
    /// The 3CX profile this connector belongs to.
    pub pbx_profile: Option<String>,
}

impl CxEngine {
    /// The CX-Engine values of `p`, when it is a CX-Engine profile.
    pub fn of(p: &Profile) -> Option<CxEngine> {
        if !std::ptr::eq(p.schema?, &SCHEMA) {
            return None;
        }
        let v = &p.values;
        Some(CxEngine {
            base_url: v.text(BASE_URL)?.to_string(),
            auth_method: AuthMethod::from_id(v.text(AUTH_METHOD)?)?,
            client_id: v.text(CLIENT_ID)?.to_string(),
            client_secret: v.secret(CLIENT_SECRET)?.clone(),
            account_id: v.text(ACCOUNT_ID)?.to_string(),
            template_path: v.text(TEMPLATE_PATH).map(PathBuf::from),
            pbx_profile: v.text(PBX_PROFILE).map(str::to_string),
        })
    }

    /// A profile named `name` holding these values.
    pub fn profile(&self, name: &str, ca_file: Option<PathBuf>) -> Profile {
        let mut v = Values::default();
        v.set(BASE_URL, Value::Text(self.base_url.clone()));
        v.set(AUTH_METHOD, Value::Text(self.auth_method.as_str().to_string()));
        v.set(CLIENT_ID, Value::Text(self.client_id.clone()));
        v.set(CLIENT_SECRET, Value::Secret(self.client_secret.clone()));
        v.set(ACCOUNT_ID, Value::Text(self.account_id.clone()));
        if let Some(t) = &self.template_path {
            v.set(TEMPLATE_PATH, Value::Text(t.display().to_string()));
        }
        if let Some(p) = &self.pbx_profile {
            v.set(PBX_PROFILE, Value::Text(p.clone()));
        }
        Profile::new(name, &SCHEMA, v, ca_file)
    }
}
