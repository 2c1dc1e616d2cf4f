//! 8x8's profile: its fields (the API app's Client ID and Secret, the products it may use, the API
//! host and the region when known), its guide, and the typed view the validation sequence reads.

use secrecy::SecretString;
use std::sync::OnceLock;

use super::{DEFAULT_BASE, REGIONS};
use crate::guide::{FieldKind, Guide};
use crate::profile::Profile;
use crate::profile::schema::{FieldDef, Kind, Schema, Value, Values};

/// The profile's keys, each written once: the schema, the typed view and the unit use these.
pub const CLIENT_ID: &str = "client_id";
pub const CLIENT_SECRET: &str = "client_secret";
pub const PRODUCTS: &str = "products";
pub const BASE_URL: &str = "base_url";
pub const REGION: &str = "region";

pub static SCHEMA: Schema = Schema {
    provider: "8x8",
    name: "8x8",
    guide,
    fields: &[
        FieldDef::new(CLIENT_ID, Kind::Text(FieldKind::Id)).help("the API username"),
        FieldDef::new(CLIENT_SECRET, Kind::Text(FieldKind::Secret)).help("the Client Secret"),
        FieldDef::new(PRODUCTS, Kind::Products).example("a list such as [\"cloud-storage\"]").help(
            "the products the API app may use, comma-separated: ids (cc-realtime-analytics, cc-historical-analytics, cloud-storage, quality-management, cc-chat) or the names the Admin Console shows (\"CC Realtime Analytics\", \"Cloud Storage Service\", any case)",
        ),
        FieldDef::new(BASE_URL, Kind::Text(FieldKind::Host))
            .optional()
            .default(DEFAULT_BASE)
            .help("the API host when not api.8x8.com (proxies, regions, tests)"),
        FieldDef::new(
            REGION,
            Kind::Word { known: &REGIONS, note: "product checks will say \"not checked\"" },
        )
        .optional()
        .example("us-west, us-east, uk, ap or ca")
        .help(
            "the region of the account (Cloud Storage's us-west, us-east, uk, ap, ca, or the analytics APIs' us, eu, au, ca); each chosen product's own API is then asked at its documented address for that region (not checked where 8x8 documents none)",
        ),
    ],
    target: BASE_URL,
};

pub fn guide() -> &'static Guide {
    static GUIDE: OnceLock<Guide> = OnceLock::new();
    GUIDE.get_or_init(|| Guide::parse(include_str!("../../../assets/guides/8x8.toml")))
}

/// An 8x8 profile's values.
#[derive(Debug, Clone)]
pub struct EightByEight {
    pub client_id: String,
    pub client_secret: SecretString,
    /// Product ids (see `assets/guides/8x8.toml`), at least one.
    pub products: Vec<String>,
    /// `host[:port]` of the API, when not the default `api.8x8.com` (proxies, regions, tests).
    pub base_url: Option<String>,
    /// The region for per-product checks, when known (e.g. `us-west`, `uk`).
    pub region: Option<String>,
}

impl EightByEight {
    /// The 8x8 values of `p`, when it is an 8x8 profile.
    pub fn of(p: &Profile) -> Option<EightByEight> {
        if !std::ptr::eq(p.schema?, &SCHEMA) {
            return None;
        }
        Some(EightByEight {
            client_id: p.values.text(CLIENT_ID)?.to_string(),
            client_secret: p.values.secret(CLIENT_SECRET)?.clone(),
            products: p.values.list(PRODUCTS).to_vec(),
            base_url: p.values.text(BASE_URL).map(str::to_string),
            region: p.values.text(REGION).map(str::to_string),
        })
    }

    /// `host[:port]` of the API.
    pub fn host(&self) -> &str {
        self.base_url.as_deref().unwrap_or(DEFAULT_BASE)
    }

    /// A profile named `name` holding these values.
    pub fn profile(&self, name: &str, ca_file: Option<std::path::PathBuf>) -> Profile {
        let mut v = Values::default();
        v.set(CLIENT_ID, Value::Text(self.client_id.clone()));
        v.set(CLIENT_SECRET, Value::Secret(self.client_secret.clone()));
        v.set(PRODUCTS, Value::List(self.products.clone()));
        for (k, x) in [(BASE_URL, &self.base_url), (REGION, &self.region)] {
            if let Some(x) = x {
                v.set(k, Value::Text(x.clone()));
            }
        }
        Profile::new(name, &SCHEMA, v, ca_file)
    }
}
