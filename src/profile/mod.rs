//! The profile model: what one saved link holds, how it maps to its TOML table, and the rules for
//! profile names. Reading and writing files is in [`store`]; last validation results in [`results`].

pub mod atomic;
pub mod listing;
pub mod results;
pub mod store;

use secrecy::{ExposeSecret, SecretString};
use std::path::PathBuf;
use toml_edit::{Item, Table, Value};

use crate::providers::ProviderId;

/// One saved link. `Debug` is safe: secrets are `SecretString`, which prints redacted.
#[derive(Debug, Clone)]
pub struct Profile {
    pub name: String,
    pub body: ProfileBody,
    /// A private CA to trust for this profile, in addition to the system roots.
    pub ca_file: Option<PathBuf>,
}

#[derive(Debug, Clone)]
pub enum ProfileBody {
    ThreeCx(ThreeCx),
    EightByEight(EightByEight),
    CxEngine(CxEngine),
    /// A provider this version cannot handle (a newer pbxlink wrote it): listed, kept, not validated.
    Unsupported {
        provider: String,
    },
}

#[derive(Debug, Clone)]
pub struct ThreeCx {
    /// host[:port], in normal form, never a scheme.
    pub domain: String,
    pub client_id: String,
    pub api_key: SecretString,
}

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

#[derive(Debug, Clone)]
pub struct CxEngine {
    /// `https://host[:port]` of the workspace or central address.
    pub base_url: String,
    pub auth_method: crate::providers::cxengine::AuthMethod,
    pub client_id: String,
    pub client_secret: SecretString,
    /// The CX-Engine client ID shown under Clients, which 3CX's template asks for.
    pub account_id: String,
    pub template_path: Option<PathBuf>,
    /// The 3CX profile this connector belongs to.
    pub pbx_profile: Option<String>,
}

impl EightByEight {
    /// `host[:port]` of the API.
    pub fn host(&self) -> &str {
        self.base_url.as_deref().unwrap_or(crate::providers::eightbyeight::DEFAULT_BASE)
    }
}

impl Profile {
    pub fn provider(&self) -> Option<ProviderId> {
        match &self.body {
            ProfileBody::ThreeCx(_) => Some(ProviderId::ThreeCx),
            ProfileBody::EightByEight(_) => Some(ProviderId::EightByEight),
            ProfileBody::CxEngine(_) => Some(ProviderId::CxEngine),
            ProfileBody::Unsupported { .. } => None,
        }
    }

    pub fn provider_name(&self) -> &str {
        match (&self.body, self.provider()) {
            (_, Some(p)) => p.as_str(),
            (ProfileBody::Unsupported { provider }, None) => provider,
            _ => "?",
        }
    }

    /// Where it points, for lists (never a secret).
    pub fn target(&self) -> String {
        match &self.body {
            ProfileBody::ThreeCx(t) => t.domain.clone(),
            ProfileBody::EightByEight(e) => e.host().to_string(),
            ProfileBody::CxEngine(c) => c.base_url.trim_start_matches("https://").to_string(),
            ProfileBody::Unsupported { .. } => String::new(),
        }
    }

    /// The saved 3CX profile this CX-Engine profile names as its `pbx_profile`, found among `all`.
    pub fn linked_in<'a>(&self, all: impl IntoIterator<Item = &'a Profile>) -> Option<&'a Profile> {
        let ProfileBody::CxEngine(CxEngine { pbx_profile: Some(name), .. }) = &self.body else { return None };
        all.into_iter().find(|p| &p.name == name && matches!(p.body, ProfileBody::ThreeCx(_)))
    }

    /// Reads a profile from its `[profiles.NAME]` table.
    pub fn from_table(name: &str, t: &dyn toml_edit::TableLike) -> Result<Profile, crate::report::Refusal> {
        let get = |k: &str| t.get(k).and_then(|i| i.as_str()).map(str::to_string);
        let need = |k: &str| get(k).filter(|v| !v.trim().is_empty()).ok_or_else(|| format!("missing \"{k}\""));
        let provider = get("provider").ok_or("missing \"provider\" (\"3cx\")")?;
        let ca_file = get("ca_file").map(PathBuf::from);
        let body = match ProviderId::parse(&provider) {
            Some(ProviderId::ThreeCx) => {
                let domain = need("domain")?;
                let normal =
                    crate::providers::host::normalise_host(&domain).map_err(|e| format!("domain \"{domain}\": {e}"))?;
                ProfileBody::ThreeCx(ThreeCx {
                    domain: normal.to_string(),
                    client_id: need("client_id")?,
                    api_key: SecretString::from(need("api_key")?),
                })
            }
            Some(ProviderId::EightByEight) => {
                let guide = ProviderId::EightByEight.guide();
                let products: Vec<String> = match t.get("products").and_then(|i| i.as_array()) {
                    Some(a) => a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect(),
                    None => return Err("missing \"products\" (a list such as [\"cloud-storage\"])".into()),
                };
                check_products(guide, &products)?;
                let base_url = match get("base_url") {
                    Some(b) => Some(
                        crate::providers::host::normalise_host(&b)
                            .map_err(|e| format!("base_url \"{b}\": {e}"))?
                            .to_string(),
                    ),
                    None => None,
                };
                ProfileBody::EightByEight(EightByEight {
                    client_id: need("client_id")?,
                    client_secret: SecretString::from(need("client_secret")?),
                    products,
                    base_url,
                    region: get("region"),
                })
            }
            Some(ProviderId::CxEngine) => {
                let url = need("base_url")?;
                ProfileBody::CxEngine(CxEngine {
                    base_url: cx_engine_url(&url).map_err(|e| format!("base_url \"{url}\": {e}"))?,
                    auth_method: crate::providers::cxengine::AuthMethod::parse(&need("auth_method")?)?,
                    client_id: need("client_id")?,
                    client_secret: SecretString::from(need("client_secret")?),
                    account_id: need("account_id")?,
                    template_path: get("template_path").map(PathBuf::from),
                    pbx_profile: get("pbx_profile"),
                })
            }
            None => ProfileBody::Unsupported { provider },
        };
        Ok(Profile { name: name.to_string(), body, ca_file })
    }

    /// Writes this profile's keys into an existing or new table, changing only the keys it owns so
    /// that comments and unknown keys stay as they were.
    pub fn write_into(&self, t: &mut Table) {
        set(t, "provider", self.provider_name());
        // The secrets leave their wrappers here, and only here, on their way to disk.
        match &self.body {
            ProfileBody::ThreeCx(x) => {
                set(t, "domain", &x.domain);
                set(t, "client_id", &x.client_id);
                set(t, "api_key", x.api_key.expose_secret());
            }
            ProfileBody::EightByEight(e) => {
                set(t, "client_id", &e.client_id);
                set(t, "client_secret", e.client_secret.expose_secret());
                let list: toml_edit::Array = e.products.iter().map(String::as_str).collect();
                match t.get_mut("products").and_then(Item::as_value_mut) {
                    Some(old) => {
                        let decor = old.decor().clone();
                        *old = Value::Array(list);
                        *old.decor_mut() = decor;
                    }
                    None => {
                        t.insert("products", toml_edit::value(list));
                    }
                }
                set_or_remove(t, "base_url", e.base_url.as_deref());
                set_or_remove(t, "region", e.region.as_deref());
            }
            ProfileBody::CxEngine(c) => {
                set(t, "base_url", &c.base_url);
                set(t, "auth_method", c.auth_method.as_str());
                set(t, "client_id", &c.client_id);
                set(t, "client_secret", c.client_secret.expose_secret());
                set(t, "account_id", &c.account_id);
                set_or_remove(t, "template_path", c.template_path.as_ref().map(|p| p.to_string_lossy()).as_deref());
                set_or_remove(t, "pbx_profile", c.pbx_profile.as_deref());
            }
            ProfileBody::Unsupported { .. } => {}
        }
        match &self.ca_file {
            Some(p) => set(t, "ca_file", &p.to_string_lossy()),
            None => {
                t.remove("ca_file");
            }
        }
    }
}

/// A CX-Engine address in normal form: `https://host[:port]`. Like a 3CX domain (a pasted URL is
/// fine, its path is dropped), but the scheme is kept, and only https is accepted.
pub fn cx_engine_url(input: &str) -> Result<String, crate::report::Refusal> {
    crate::providers::host::normalise_host(input).map(|h| h.https_base()).map_err(|e| e.to_string().into())
}

fn set_or_remove(t: &mut Table, key: &str, v: Option<&str>) {
    match v {
        Some(v) => set(t, key, v),
        None => {
            t.remove(key);
        }
    }
}

/// Product ids must be known to the guide, and at least one.
pub fn check_products(guide: &crate::providers::Guide, products: &[String]) -> Result<(), crate::report::Refusal> {
    if products.is_empty() {
        return Err("no product chosen: give at least one".into());
    }
    let known: Vec<&str> = guide.products.iter().map(|p| p.id.as_str()).collect();
    match products.iter().find(|p| !known.contains(&p.as_str())) {
        Some(p) => {
            let names: Vec<&str> = guide.products.iter().map(|p| p.name.as_str()).collect();
            Err(format!("unknown product \"{p}\" (known: {}; or by name: {})", known.join(", "), names.join(", "))
                .into())
        }
        None => Ok(()),
    }
}

/// Sets a string value, keeping the decoration (comments, spacing) of an existing one.
fn set(t: &mut Table, key: &str, v: &str) {
    match t.get_mut(key).and_then(Item::as_value_mut) {
        Some(old) => {
            let decor = old.decor().clone();
            *old = Value::from(v);
            *old.decor_mut() = decor;
        }
        None => {
            t.insert(key, toml_edit::value(v));
        }
    }
}

/// Profile names are table keys and file-safe words: letters, digits, `-` and `_`, 1 to 64.
pub fn check_name(name: &str) -> Result<(), crate::report::Refusal> {
    if name.is_empty() {
        return Err("the name is empty: use letters, digits, - or _".into());
    }
    if name.chars().count() > 64 {
        return Err("the name is longer than 64 characters".into());
    }
    if let Some(c) = name.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_')) {
        return Err(format!("\"{}\" is not allowed in a name: use letters, digits, - or _", c.escape_default()).into());
    }
    Ok(())
}

/// A sensible default name from a host: its first label (`mycompany` for `mycompany.3cx.us`),
/// made unique against `taken` by a numeric suffix.
pub fn suggest_name(host: &str, taken: &[String]) -> String {
    let first = host.split(['.', ':']).next().unwrap_or_default();
    let mut base: String = first.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').take(40).collect();
    if base.is_empty() || base.chars().all(|c| c.is_ascii_digit()) || host.starts_with('[') {
        base = "pbx".into();
    }
    if !taken.contains(&base) {
        return base;
    }
    (2..).map(|n| format!("{base}-{n}")).find(|c| !taken.contains(c)).unwrap_or(base)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(check_name("office-1_b").is_ok());
        assert!(check_name("").is_err());
        assert!(check_name("a b").is_err());
        assert!(check_name("ü").is_err());
        assert!(check_name(&"a".repeat(65)).is_err());
        let taken = vec!["mycompany".to_string(), "mycompany-2".to_string()];
        assert_eq!(suggest_name("mycompany.3cx.us", &taken), "mycompany-3");
        assert_eq!(suggest_name("pbx.example.com:5001", &[]), "pbx");
        assert_eq!(suggest_name("10.0.0.1:5001", &[]), "pbx");
        assert_eq!(suggest_name("[::1]:5001", &[]), "pbx");
        assert_eq!(suggest_name("localhost:4000", &[]), "localhost");
    }

    #[test]
    fn debug_never_shows_the_key() {
        let p = Profile {
            name: "x".into(),
            body: ProfileBody::ThreeCx(ThreeCx {
                domain: "d".into(),
                client_id: "900".into(),
                api_key: SecretString::from("sekrit-value-123"),
            }),
            ca_file: None,
        };
        assert!(!format!("{p:?}").contains("sekrit-value-123"));
    }
}
