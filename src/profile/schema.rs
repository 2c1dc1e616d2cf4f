//! What a vendor's profile holds, as data: each field's TOML key (also the guide's field id and,
//! with dashes, `add`'s flag), its kind (how a value is checked), whether it is secret or optional.
//! Each vendor unit (`providers/<vendor>/`) declares one [`Schema`]; the store, `show`, the guide's
//! edit and build, `add`'s flags and the review rows are derived from it by generic code, so a
//! field is defined once.

use secrecy::SecretString;
use std::collections::BTreeMap;

use crate::guide::{FieldKind, Guide, StepKind};
use crate::report::Refusal;

/// A vendor's profile fields and where they come from.
pub struct Schema {
    /// As written in profiles and on the command line (`"3cx"`).
    pub provider: &'static str,
    /// The vendor's name as people write it: the guide's `name` (a test holds them together), so
    /// the command line's help says it without parsing a guide at every start.
    pub name: &'static str,
    pub guide: fn() -> &'static Guide,
    /// In the order they are written to a new table and shown.
    pub fields: &'static [FieldDef],
    /// The key of the field that says where a profile points (lists show it).
    pub target: &'static str,
}

/// One profile field.
pub struct FieldDef {
    /// Its TOML key, the guide's field id, and (dashed) its `add` flag.
    pub key: &'static str,
    pub kind: Kind,
    pub optional: bool,
    /// `add`'s flag when it is not the key with dashes (`template` for `template_path`).
    pub flag: Option<&'static str>,
    /// What belongs there, said when a profile file lacks it (`a list such as ["cloud-storage"]`).
    pub example: &'static str,
    /// `add --help`'s line for the flag.
    pub help: &'static str,
    /// What a profile without it means (8x8's API host): where it points, and what validation uses.
    pub default: Option<&'static str>,
}

/// How a field's value is checked, and which guide step asks for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text checked like a guide field of this kind; the guide asks for it when it has a field
    /// with this key (else a flag sets it, and editing keeps it).
    Text(FieldKind),
    /// A short lowercase word; one not in `known` is kept with `note` (8x8's regions).
    Word { known: &'static [&'static str], note: &'static str },
    /// Product ids (or their names) from the guide's product list, at least one: its select step.
    Products,
    /// The id of one of the choices of the guide's choose step.
    Choice,
    /// A file (a path) the vendor checks on disk before it is saved, by these rules.
    File(&'static super::checked_file::FileRules),
    /// The name of a saved profile of `provider`, chosen on the guide's link step.
    Link { provider: &'static str },
}

/// A field's value. `Debug` is safe: a secret prints redacted.
#[derive(Debug, Clone)]
pub enum Value {
    Text(String),
    Secret(SecretString),
    List(Vec<String>),
    /// A secret field holding where its secret is read from, not the secret.
    Ref(super::secret_ref::SecretRef),
}

/// A profile's values by field key. Only checked values go in (see [`FieldDef::check`]).
#[derive(Debug, Clone, Default)]
pub struct Values(BTreeMap<&'static str, Value>);

impl Values {
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.get(key)
    }

    pub fn set(&mut self, key: &'static str, v: Value) {
        self.0.insert(key, v);
    }

    /// Drops the value of `key` (an optional field cleared by `pbxlink set key=`).
    pub fn remove(&mut self, key: &str) {
        self.0.remove(key);
    }

    /// A text value (`None` for a secret or a list).
    pub fn text(&self, key: &str) -> Option<&str> {
        match self.0.get(key) {
            Some(Value::Text(s)) => Some(s),
            _ => None,
        }
    }

    /// The reference a secret field holds instead of its secret, if it does.
    pub fn secret_ref(&self, key: &str) -> Option<&super::secret_ref::SecretRef> {
        match self.0.get(key) {
            Some(Value::Ref(r)) => Some(r),
            _ => None,
        }
    }

    pub fn secret(&self, key: &str) -> Option<&SecretString> {
        match self.0.get(key) {
            Some(Value::Secret(s)) => Some(s),
            _ => None,
        }
    }

    pub fn list(&self, key: &str) -> &[String] {
        match self.0.get(key) {
            Some(Value::List(l)) => l,
            _ => &[],
        }
    }
}

impl Schema {
    pub fn guide(&self) -> &'static Guide {
        (self.guide)()
    }

    pub fn field(&self, key: &str) -> Option<&'static FieldDef> {
        self.fields.iter().find(|f| f.key == key)
    }

    /// The field of `kind`'s sort (`Kind::Products`, `Kind::File`), if the schema has one.
    pub fn field_of(&self, pick: impl Fn(&Kind) -> bool) -> Option<&'static FieldDef> {
        self.fields.iter().find(|f| pick(&f.kind))
    }

    /// The field that links a saved profile, and the provider it links, if the schema has one.
    pub fn link(&self) -> Option<(&'static FieldDef, &'static str)> {
        self.fields.iter().find_map(|f| match f.kind {
            Kind::Link { provider } => Some((f, provider)),
            _ => None,
        })
    }
}

/// Builders for the vendors' `static` schemas: `FieldDef::new("client_id", …).help("…")`.
impl FieldDef {
    pub const fn new(key: &'static str, kind: Kind) -> FieldDef {
        FieldDef { key, kind, optional: false, flag: None, example: "", help: "", default: None }
    }

    pub const fn optional(self) -> FieldDef {
        FieldDef { optional: true, ..self }
    }

    pub const fn help(self, help: &'static str) -> FieldDef {
        FieldDef { help, ..self }
    }

    pub const fn example(self, example: &'static str) -> FieldDef {
        FieldDef { example, ..self }
    }

    pub const fn flag_name(self, flag: &'static str) -> FieldDef {
        FieldDef { flag: Some(flag), ..self }
    }

    pub const fn default(self, default: &'static str) -> FieldDef {
        FieldDef { default: Some(default), ..self }
    }
}

impl FieldDef {
    pub fn secret(&self) -> bool {
        self.kind == Kind::Text(FieldKind::Secret)
    }

    /// `add`'s flag for it, without the dashes in front (`client-id`).
    pub fn flag(&self) -> String {
        self.flag.map_or_else(|| self.key.replace('_', "-"), str::to_string)
    }

    /// Whether the guide asks for it on a form (else a flag sets it and editing keeps it).
    pub fn asked(&self, guide: &Guide) -> bool {
        matches!(self.kind, Kind::Text(_) | Kind::File(_)) && guide.fields.contains_key(self.key)
    }

    /// The value `raw` stands for, checked by the one rule of its kind, or why not (never quoting
    /// a secret). An empty optional text is `None`: the profile leaves the key out.
    pub fn check(&self, raw: &str, guide: &Guide) -> Result<Option<Value>, Refusal> {
        let v = raw.trim();
        if v.is_empty() && self.optional {
            return Ok(None);
        }
        let value = match self.kind {
            Kind::Text(FieldKind::Secret) => Value::Secret(SecretString::from(FieldKind::Secret.check(v)?)),
            Kind::Text(k) => Value::Text(k.check(v)?),
            Kind::Word { .. } => {
                if v.is_empty()
                    || v.len() > 20
                    || !v.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                {
                    return Err(format!("\"{v}\" is not a short lowercase word such as {}", self.example).into());
                }
                Value::Text(v.to_string())
            }
            Kind::Products => return self.check_list(&[v.to_string()], guide).map(Some),
            Kind::Choice => Value::Text(check_choice(v, guide)?),
            Kind::File(_) => Value::Text(FieldKind::Path.check(v)?),
            Kind::Link { .. } => {
                super::check_name(v)?;
                Value::Text(v.to_string())
            }
        };
        Ok(Some(value))
    }

    /// A list of products: each an id or the name the vendor's console shows (any case), known to
    /// the guide, at least one.
    pub fn check_list(&self, items: &[String], guide: &Guide) -> Result<Value, Refusal> {
        let ids: Vec<String> = items
            .iter()
            .map(|p| p.trim())
            .filter(|p| !p.is_empty())
            .map(|p| guide.product_id(p).unwrap_or_else(|| p.to_string()))
            .collect();
        if ids.is_empty() {
            return Err("no product chosen: give at least one".into());
        }
        let known: Vec<&str> = guide.products.iter().map(|p| p.id.as_str()).collect();
        if let Some(p) = ids.iter().find(|p| !known.contains(&p.as_str())) {
            let names: Vec<&str> = guide.products.iter().map(|p| p.name.as_str()).collect();
            return Err(format!(
                "unknown product \"{p}\" (known: {}; or by name: {})",
                known.join(", "),
                names.join(", ")
            )
            .into());
        }
        Ok(Value::List(ids))
    }

    /// What to say about an accepted value: the guide's soft hint (8x8 Client IDs start with
    /// eght_), or a word the vendor does not document. Never a refusal.
    pub fn note(&self, v: &str, guide: &Guide) -> Option<String> {
        match self.kind {
            Kind::Word { known, note } if !known.contains(&v) => {
                Some(format!("{} \"{v}\" is not one {} documents ({}); {note}", self.key, guide.name, known.join(", ")))
            }
            Kind::Text(_) if guide.fields.contains_key(self.key) => {
                guide.field(self.key).soft_note(v).map(str::to_string)
            }
            _ => None,
        }
    }
}

/// One of the choices of the guide's choose step, by id; a choice the vendor does not support is
/// refused with the guide's own words.
fn check_choice(v: &str, guide: &Guide) -> Result<String, Refusal> {
    let Some(step) = guide.steps.iter().find(|s| s.kind == StepKind::Choose) else {
        return Err("this provider has no choice to make".into());
    };
    match step.choices.iter().find(|c| c.id == v) {
        Some(c) => match &c.refuse {
            Some(why) => Err(why.as_str().into()),
            None => Ok(c.id.clone()),
        },
        None => {
            let ids: Vec<&str> = step.choices.iter().filter(|c| c.refuse.is_none()).map(|c| c.id.as_str()).collect();
            Err(format!("\"{v}\" is not {}", ids.join(" or ")).into())
        }
    }
}
