//! Between a guide's state and a profile, both ways, derived from the vendor's schema: a saved
//! profile opened for editing fills the guide's fields, ticks and choices; the guide's values build
//! the profile that is validated and saved. No vendor is named here.

use secrecy::ExposeSecret;
use std::path::PathBuf;

use super::Field;
use super::guide::{GuideState, NewDefaults};
use crate::guide::{FieldKind, StepKind};
use crate::profile::Profile;
use crate::profile::schema::{Kind, Value, Values};
use crate::providers::ProviderId;

impl GuideState {
    /// A guide pre-filled from a saved profile, opened at its first form.
    pub fn edit(p: &Profile) -> Self {
        let mut s = Self::new(ProviderId::of(p).unwrap_or(ProviderId::FIRST));
        let (schema, guide) = (s.provider.schema(), s.guide());
        let mut products: Vec<String> = vec![];
        for def in schema.fields {
            match def.kind {
                Kind::Products => products = p.values.list(def.key).to_vec(),
                Kind::Choice => {
                    if let Some(v) = p.values.text(def.key) {
                        s.choose_value(v);
                    }
                }
                Kind::Link { .. } => s.pbx = p.values.text(def.key).map(str::to_string),
                _ if def.asked(guide) => match p.values.get(def.key) {
                    // The saved secret: the first paste or keystroke replaces it (a new key).
                    Some(Value::Secret(t)) => {
                        if let Some(f) = s.fields.iter_mut().find(|f| f.id == def.key) {
                            *f = Field::saved_secret(def.key, t.expose_secret());
                        }
                    }
                    Some(Value::Text(t)) => s.prefill(def.key, Some(t)),
                    _ => s.prefill(def.key, Some("")),
                },
                // Not asked (8x8's API host, its region): kept from the profile when it is built.
                _ => {}
            }
        }
        // Confirmations were given when the profile was made; choices are the profile's own.
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
        s.keep_from(p);
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

    /// Marks the choice with id `choice` as chosen on the guide's choose step.
    pub fn choose_value(&mut self, choice: &str) {
        if let Some(step) = self.guide().steps.iter().find(|s| s.kind == StepKind::Choose) {
            let id = step.id.clone();
            self.choose(&id, choice);
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

    /// The key of the schema's checked file field, if it has one.
    pub fn file_key(&self) -> Option<&'static str> {
        self.file_field().map(|f| f.key)
    }

    /// The schema's checked file field and its rules, if it has one.
    pub fn file_field(&self) -> Option<&'static crate::profile::schema::FieldDef> {
        self.provider.schema().field_of(|k| matches!(k, Kind::File(_)))
    }

    /// The checked file's rules, if the schema has such a field.
    pub fn file_rules(&self) -> Option<&'static crate::profile::checked_file::FileRules> {
        match self.file_field()?.kind {
            Kind::File(rules) => Some(rules),
            _ => None,
        }
    }

    /// The checked file the profile records: the checked file (absolute), else the text as typed,
    /// or none when the field is empty.
    pub fn file_path(&self) -> Option<PathBuf> {
        let typed = self.field(self.file_key()?)?.value().trim();
        if typed.is_empty() {
            return None;
        }
        match &self.file.checked {
            Some((t, Ok(found))) if t == typed => Some(found.path.clone()),
            _ => Some(PathBuf::from(typed)),
        }
    }

    /// What a review lists, as (label, value): provider, method, every field (secrets as their
    /// length, a checked file as the file checked), the linked profile and the products. Labels
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
                FieldKind::Secret if f.value().trim().is_empty() && self.secret_kept(&f.id) => {
                    "not retyped: read through its reference, as before".into()
                }
                FieldKind::Secret => {
                    let n = f.value().trim().chars().count();
                    // Editing: whether the key is the saved one, so a rotation is seen as one.
                    let was = self.editing.as_ref().and_then(|p| match p.values.get(&f.id) {
                        Some(Value::Secret(s)) => Some(s.expose_secret().trim() == f.value().trim()),
                        _ => None,
                    });
                    match was {
                        Some(true) => format!("{n} characters, hidden, unchanged"),
                        Some(false) => format!("{n} characters, hidden, changed: a new secret"),
                        None => format!("{n} characters, hidden"),
                    }
                }
                _ if Some(f.id.as_str()) == self.file_key() => {
                    self.file_path().map_or_else(|| "none".into(), |p| p.display().to_string())
                }
                _ => f.check().unwrap_or_default(),
            };
            rows.push((short(&guide.field(&f.id).label), value));
        }
        if let Some(to) = self.link_provider() {
            rows.push((
                format!("{} profile", to.guide().name),
                self.pbx.clone().unwrap_or_else(|| "not linked".into()),
            ));
        }
        let products = self.chosen_products();
        if !products.is_empty() {
            let names: Vec<String> = products.iter().map(|p| guide.product_name(p)).collect();
            rows.push(("Products".into(), names.join(", ")));
        }
        if self.secret_key().is_some() {
            rows.push(("Secret kept".into(), self.keep_row()));
        }
        rows
    }

    /// The vendor whose saved profiles the guide's link step offers (CX-Engine: 3CX), if it has one.
    pub fn link_provider(&self) -> Option<ProviderId> {
        ProviderId::parse(self.provider.schema().link()?.1)
    }

    /// The profile the fields describe: each of the schema's fields from the step that asks for
    /// it, checked by its rule; a field the guide does not ask is kept from the profile being
    /// edited, or taken from `new`.
    pub fn build_profile(&self, name: &str, new: &NewDefaults) -> Result<Profile, crate::report::Refusal> {
        let (schema, guide) = (self.provider.schema(), self.guide());
        let editing = self.editing.as_ref().filter(|p| ProviderId::of(p) == Some(self.provider));
        let mut values = Values::default();
        for def in schema.fields {
            let label = || guide.fields.get(def.key).map_or(def.key, |f| f.label.as_str()).to_string();
            let value = match def.kind {
                Kind::Products => Some(def.check_list(&self.chosen_products(), guide)?),
                Kind::Choice => {
                    let step = guide.steps.iter().find(|s| s.kind == StepKind::Choose);
                    let what = step.map_or("Choice", |s| s.title.as_str());
                    def.check(self.chosen_id().unwrap_or(""), guide).map_err(|e| format!("{what}: {e}"))?
                }
                Kind::Link { .. } => self.pbx.clone().map(Value::Text),
                Kind::File(_) => self.file_path().map(|p| Value::Text(p.display().to_string())),
                _ if def.asked(guide) => {
                    let f = self.field(def.key).ok_or_else(|| format!("{}: missing", label()))?;
                    match &self.keeping.kept {
                        // Not retyped: the edited profile's reference stands for it.
                        Some(r) if f.value().trim().is_empty() && self.secret_kept(def.key) => {
                            Some(Value::Ref(r.clone()))
                        }
                        _ => def.check(f.value(), guide).map_err(|e| format!("{}: {e}", label()))?,
                    }
                }
                _ => match editing {
                    Some(old) => old.values.get(def.key).cloned(),
                    None => match new.values.iter().find(|(k, _)| *k == def.key) {
                        Some((_, v)) => def.check(v, guide).map_err(|e| format!("{}: {e}", def.key))?,
                        None => None,
                    },
                },
            };
            match value {
                Some(v) => values.set(def.key, v),
                None if def.optional => {}
                None => return Err(format!("{}: missing", label()).into()),
            }
        }
        let ca_file = match &self.editing {
            Some(p) => p.ca_file.clone(),
            None => new.ca_file.clone(),
        };
        Ok(Profile::new(name, schema, values, ca_file))
    }
}
