//! Between a guide's state and a profile, both ways: a saved profile opened for editing fills the
//! guide's fields, ticks and choices; the guide's values build the profile that is validated and
//! saved.

use secrecy::{ExposeSecret, SecretString};
use std::path::PathBuf;

use super::Field;
use super::guide::{GuideState, NewDefaults};
use crate::profile::{CxEngine, EightByEight, Profile, ProfileBody, ThreeCx};
use crate::providers::cxengine::AuthMethod;
use crate::providers::{FieldKind, ProviderId, StepKind};

impl GuideState {
    /// A guide pre-filled from a saved profile, opened at its first form.
    pub fn edit(p: &Profile) -> Self {
        let mut s = Self::new(p.provider().unwrap_or(ProviderId::ThreeCx));
        let template;
        let values: Vec<(&str, &str)> = match &p.body {
            ProfileBody::ThreeCx(x) => {
                vec![
                    ("domain", x.domain.as_str()),
                    ("client_id", x.client_id.as_str()),
                    ("api_key", x.api_key.expose_secret()),
                ]
            }
            ProfileBody::EightByEight(e) => {
                vec![("client_id", e.client_id.as_str()), ("client_secret", e.client_secret.expose_secret())]
            }
            ProfileBody::CxEngine(c) => {
                template = c.template_path.as_ref().map(|t| t.to_string_lossy().into_owned()).unwrap_or_default();
                s.pbx = c.pbx_profile.clone();
                s.choose("method", c.auth_method.as_str());
                vec![
                    ("base_url", c.base_url.as_str()),
                    ("client_id", c.client_id.as_str()),
                    ("client_secret", c.client_secret.expose_secret()),
                    ("account_id", c.account_id.as_str()),
                    ("template_path", template.as_str()),
                ]
            }
            ProfileBody::Unsupported { .. } => vec![],
        };
        for (id, v) in values {
            s.prefill(id, Some(v));
        }
        // Confirmations were given when the profile was made; choices are the profile's own.
        let products: Vec<String> = match &p.body {
            ProfileBody::EightByEight(e) => e.products.clone(),
            _ => vec![],
        };
        let guide = s.guide();
        for step in &guide.steps {
            if let Some(t) = s.ticks.get_mut(&step.id) {
                for (i, b) in t.iter_mut().enumerate() {
                    *b = match step.kind {
                        StepKind::Select => guide.products.get(i).is_some_and(|p| products.contains(&p.id)),
                        _ => true,
                    };
                }
            }
        }
        // Editing opens on the first step that holds a value; the instructions before it were done.
        s.step = s.guide().steps.iter().position(|st| st.kind.holds_values()).unwrap_or(0);
        s.focus = s.chosen.get(&s.current().id).copied().unwrap_or(0);
        s.name = Field::new("name", FieldKind::Id, &p.name);
        s.editing = Some(p.clone());
        s
    }

    /// Marks the choice with id `choice` as chosen on step `step` (when both exist).
    pub fn choose(&mut self, step: &str, choice: &str) {
        let Some(st) = self.guide().steps.iter().find(|s| s.id == step) else { return };
        if let Some(i) = st.choices.iter().position(|c| c.id == choice) {
            self.chosen.insert(step.to_string(), i);
        }
    }

    /// The id of the option chosen on the guide's first `choose` step.
    pub fn chosen_id(&self) -> Option<&'static str> {
        let step = self.guide().steps.iter().find(|s| s.kind == StepKind::Choose)?;
        let i = *self.chosen.get(&step.id)?;
        step.choices.get(i).map(|c| c.id.as_str())
    }

    /// The products ticked on the guide's choice step, as profile ids.
    pub fn chosen_products(&self) -> Vec<String> {
        let guide = self.guide();
        let Some(step) = guide.steps.iter().find(|s| s.kind == StepKind::Select) else { return vec![] };
        let ticks = self.ticks.get(&step.id).cloned().unwrap_or_default();
        guide.products.iter().zip(ticks).filter(|(_, on)| *on).map(|(p, _)| p.id.clone()).collect()
    }

    /// The template file the profile records: the checked file (absolute), else the text as typed,
    /// or none when the field is empty.
    pub fn template_path(&self) -> Option<PathBuf> {
        let typed = self.field("template_path")?.value().trim();
        if typed.is_empty() {
            return None;
        }
        match &self.template.checked {
            Some((t, Ok(found))) if t == typed => Some(found.path.clone()),
            _ => Some(PathBuf::from(typed)),
        }
    }

    /// What a review lists, as (label, value): provider, method, every field (secrets as their
    /// length, the template as the file checked), the linked 3CX profile and the products. Labels
    /// drop their parenthesised gloss ("Client Secret (API password)" → "Client Secret").
    pub fn review_rows(&self) -> Vec<(String, String)> {
        let short = |label: &str| label.split(" (").next().unwrap_or_default().to_string();
        let guide = self.guide();
        let mut rows = vec![("Provider".to_string(), guide.name.clone())];
        let choose = guide.steps.iter().find(|s| s.kind == StepKind::Choose);
        if let Some(c) = choose.and_then(|s| s.choices.get(*self.chosen.get(&s.id)?)) {
            rows.push(("Method".into(), short(&c.label)));
        }
        for f in &self.fields {
            let value = match f.kind {
                FieldKind::Secret => format!("{} characters, hidden", f.value().trim().chars().count()),
                FieldKind::Path => self.template_path().map_or_else(|| "none".into(), |p| p.display().to_string()),
                _ => f.check().unwrap_or_default(),
            };
            rows.push((short(&guide.field(&f.id).label), value));
        }
        if guide.steps.iter().any(|s| s.kind == StepKind::Link) {
            rows.push(("3CX profile".into(), self.pbx.clone().unwrap_or_else(|| "not linked".into())));
        }
        let products = self.chosen_products();
        if !products.is_empty() {
            let names: Vec<String> = products.iter().map(|p| guide.product_name(p)).collect();
            rows.push(("Products".into(), names.join(", ")));
        }
        rows
    }

    /// The profile the fields describe.
    pub fn build_profile(&self, name: &str, new: &NewDefaults) -> Result<Profile, crate::report::Refusal> {
        let value = |id: &str| -> Result<String, crate::report::Refusal> {
            let label = &self.guide().field(id).label;
            self.field(id)
                .ok_or_else(|| format!("{label}: missing"))?
                .check()
                .map_err(|e| format!("{label}: {e}").into())
        };
        let body = match self.provider {
            ProviderId::ThreeCx => ProfileBody::ThreeCx(ThreeCx {
                domain: value("domain")?,
                client_id: value("client_id")?,
                api_key: SecretString::from(value("api_key")?),
            }),
            ProviderId::EightByEight => {
                // An edited profile keeps where it pointed; a new one uses the default API host.
                let (base_url, region) = match &self.editing {
                    Some(Profile { body: ProfileBody::EightByEight(old), .. }) => {
                        (old.base_url.clone(), old.region.clone())
                    }
                    _ => (new.eightbyeight_base.clone(), None),
                };
                ProfileBody::EightByEight(EightByEight {
                    client_id: value("client_id")?,
                    client_secret: SecretString::from(value("client_secret")?),
                    products: self.chosen_products(),
                    base_url,
                    region,
                })
            }
            ProviderId::CxEngine => ProfileBody::CxEngine(CxEngine {
                base_url: value("base_url")?,
                auth_method: AuthMethod::parse(self.chosen_id().unwrap_or(""))
                    .map_err(|_| "Method: choose Authorization Code or Client Credentials".to_string())?,
                client_id: value("client_id")?,
                client_secret: SecretString::from(value("client_secret")?),
                account_id: value("account_id")?,
                template_path: self.template_path(),
                pbx_profile: self.pbx.clone(),
            }),
        };
        let ca_file = match &self.editing {
            Some(p) => p.ca_file.clone(),
            None => new.ca_file.clone(),
        };
        Ok(Profile { name: name.to_string(), body, ca_file })
    }
}
