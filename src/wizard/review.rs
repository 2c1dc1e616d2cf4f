//! The review step's rules, for both front ends: the profile name offered, where the secret is
//! kept, and the one rule for saving. Where the secret is kept is the review's second field:
//! empty for profiles.toml, or `keyring`, `env:VAR`, `command:PROGRAM ARG...`, as `--api-key-ref`
//! takes them. An edited profile that reads its secret through a reference keeps it: its secret
//! field starts empty, which means "as before" (the validation reads the reference), and the
//! review's field shows the reference.

use super::Field;
use super::guide::{GuideState, NewDefaults};
use super::keeping::{IN_FILE, Keeping};
use crate::guide::FieldKind;
use crate::profile::keep::Keep;
use crate::profile::os_keyring;
use crate::profile::schema::Value;
use crate::profile::secret_ref::SecretRef;
use crate::profile::store::SaveMode;
use crate::profile::{self, Profile};
use crate::report::Refusal;

impl GuideState {
    /// The key of the schema's secret field (each vendor has one).
    pub fn secret_key(&self) -> Option<&'static str> {
        self.provider.schema().field_of(|k| *k == profile::schema::Kind::Text(FieldKind::Secret)).map(|f| f.key)
    }

    /// Opens the review on an edited profile's reference, if it read one.
    pub(super) fn keep_from(&mut self, p: &Profile) {
        let kept = self.secret_key().and_then(|k| p.values.secret_ref(k)).cloned();
        let text = kept.as_ref().map(SecretRef::flag_text).unwrap_or_default();
        self.keeping = Keeping { field: Field::new("keep", FieldKind::Path, &text), kept, focused: false };
    }

    /// Whether the secret field may stay empty: an edited profile's reference stands for it.
    pub fn secret_kept(&self, id: &str) -> bool {
        self.keeping.kept.is_some() && self.secret_key() == Some(id)
    }

    /// Where the review says the secret goes: `None` is profiles.toml.
    pub fn keep_to(&self) -> Result<Option<SecretRef>, Refusal> {
        let typed = self.keeping.field.value().trim();
        if typed.is_empty() || typed == "profiles.toml" {
            return Ok(None);
        }
        if let Some(k) = self.keeping.kept.as_ref().filter(|k| k.flag_text() == typed) {
            return Ok(Some(k.clone()));
        }
        // Never quoted back: a secret pasted here by mistake must not be shown in clear.
        SecretRef::parse_flag("Keep the secret", typed)
            .map(Some)
            .map_err(|_| "Keep the secret: give keyring, env:VAR or command:PROGRAM ARG..., or leave it empty".into())
    }

    /// The review's row for it: where the secret will be, or why the field is not understood.
    pub fn keep_row(&self) -> String {
        let key = self.secret_key().unwrap_or("secret");
        let account = os_keyring::account(self.name.value().trim(), key);
        match self.keep_to() {
            Ok(None) => IN_FILE.into(),
            Ok(Some(SecretRef::Keyring)) => format!("in the OS keyring (service pbxlink, account {account})"),
            Ok(Some(r)) => format!("read at each use from {}", r.source(&account)),
            Err(e) => e.to_string(),
        }
    }

    /// The profile name offered on the review step (both front ends): from the host the guide
    /// asked (the schema's target, a host field: 3CX's domain), else the provider, not one of
    /// `taken`.
    pub fn suggested_name(&self, taken: &[String]) -> String {
        let schema = self.provider.schema();
        let host_field = schema
            .field(schema.target)
            .filter(|d| d.kind == profile::schema::Kind::Text(FieldKind::Host))
            .and_then(|d| self.field(d.key));
        let host = match host_field {
            Some(f) => f.check().unwrap_or_default(),
            None => self.provider.as_str().to_string(),
        };
        profile::suggest_name(&host, taken)
    }

    /// The one rule for saving under `name`, the TUI's and plain mode's: a valid name, not one of
    /// `taken` (another profile is never replaced from a guide; editing a profile keeps its own
    /// name), the profile the values build, how to save it, and where its secret goes when that
    /// is not simply the file (the effects settle it before saving).
    pub fn save_as(
        &self,
        name: &str,
        taken: &[String],
        new: &NewDefaults,
    ) -> Result<(Profile, SaveMode, Option<Box<Keep>>), Refusal> {
        profile::check_name(name).map_err(|e| format!("Profile name: {e}"))?;
        let original = self.editing.as_ref().map(|p| p.name.clone());
        if original.as_deref() != Some(name) && taken.iter().any(|t| t == name) {
            return Err(format!("A profile named \"{name}\" already exists: choose another name.").into());
        }
        let p = self.build_profile(name, new)?;
        let to = self.keep_to()?;
        let keep = self.secret_key().and_then(|key| {
            let checked = p.values.get(key)?.clone();
            let account_of = |n: &str| os_keyring::account(n, key);
            let old = original.as_deref().unwrap_or(name);
            let old_entry = self.keeping.kept.as_ref().filter(|k| **k == SecretRef::Keyring).map(|_| account_of(old));
            (to.is_some() || old_entry.is_some() || matches!(checked, Value::Ref(_)))
                .then(|| Box::new(Keep { key, checked, checked_account: account_of(old), to: to.clone(), old_entry }))
        });
        let mode = match original {
            Some(old) => SaveMode::Replace { old },
            None => SaveMode::Create,
        };
        Ok((p, mode, keep))
    }
}
