//! Where a guide's checked secret goes when it saves. The secret the validation used (typed, or
//! read through the edited profile's reference) is kept in profiles.toml, stored in the OS
//! keyring, or left where a reference reads it once that reference gives the very secret that was
//! checked: a profile is never saved pointing at a secret nobody checked. The guide (pure) says
//! what; the effects carry it out with this, before the save.

use secrecy::ExposeSecret;

use super::schema::Value;
use super::secret_ref::SecretRef;
use super::{Profile, os_keyring};
use crate::report::Refusal;

/// A secret field to settle before saving: what was checked and where it is to be kept.
#[derive(Debug, Clone)]
pub struct Keep {
    pub key: &'static str,
    /// What the validation used: the typed secret, or the edited profile's reference.
    pub checked: Value,
    /// The keyring account `checked` reads when it is `{ keyring = true }`: the edited
    /// profile's own, which a new name does not change.
    pub checked_account: String,
    /// Where the secret is kept: `None` is profiles.toml.
    pub to: Option<SecretRef>,
    /// The keyring account the edited profile read, if it read the keyring: deleted once the
    /// secret is stored under another account (the profile was renamed).
    pub old_entry: Option<String>,
}

/// What settling did that matters after the save.
#[derive(Debug, Default)]
pub struct Settled {
    /// The keyring entry the secret was stored in, as it was before: put back if the save fails.
    pub replaced: Option<os_keyring::Before>,
    /// A keyring entry the profile no longer reads (it was renamed, or its secret now lives
    /// elsewhere), to delete once saved.
    pub forget: Option<String>,
}

impl Settled {
    /// The keyring account the secret was stored under.
    pub fn stored(&self) -> Option<&str> {
        self.replaced.as_ref().map(|b| b.account.as_str())
    }
}

impl Keep {
    /// Puts the secret where it is to be kept and the matching value in `profile`.
    pub async fn settle(&self, profile: &mut Profile) -> Result<Settled, Refusal> {
        let account = os_keyring::account(&profile.name, self.key);
        // The reference that was checked, kept as it is: nothing to read or store.
        if let (Value::Ref(from), Some(to)) = (&self.checked, &self.to)
            && from == to
            && (*to != SecretRef::Keyring || self.checked_account == account)
        {
            profile.values.set(self.key, Value::Ref(to.clone()));
            return Ok(Settled::default());
        }
        let secret = match &self.checked {
            Value::Secret(s) => s.clone(),
            // Held to the same one-line rule as at validation, so what is kept is what was checked.
            Value::Ref(r) => r.read_field(self.key, &self.checked_account).await?,
            _ => return Ok(Settled::default()),
        };
        // The entry the edited profile read goes once the secret lives anywhere else.
        let forget = |kept_in: Option<&str>| self.old_entry.clone().filter(|old| Some(old.as_str()) != kept_in);
        match &self.to {
            None => profile.values.set(self.key, Value::Secret(secret)),
            Some(SecretRef::Keyring) => {
                let before = os_keyring::Before::replace(&account, &secret)
                    .await
                    .map_err(|e| format!("the {} could not be stored in the OS keyring: {e}", self.key))?;
                profile.values.set(self.key, Value::Ref(SecretRef::Keyring));
                return Ok(Settled { forget: forget(Some(&account)), replaced: Some(before) });
            }
            Some(to) => {
                let got = to.read_field(self.key, &account).await?;
                if got.expose_secret() != secret.expose_secret() {
                    return Err(format!(
                        "{}: {} gives another secret than the one just checked; make it give that one, or keep the secret in profiles.toml (leave the field empty)",
                        self.key,
                        to.source(&account)
                    )
                    .into());
                }
                profile.values.set(self.key, Value::Ref(to.clone()));
            }
        }
        Ok(Settled { replaced: None, forget: forget(None) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::schema::Values;
    use secrecy::SecretString;

    fn profile() -> Profile {
        let schema = &crate::profile::test_schemas::PBX;
        let mut values = Values::default();
        values.set("domain", Value::Text("pbx.example.com".into()));
        values.set("client_id", Value::Text("900".into()));
        Profile::new("office", schema, values, None)
    }

    fn keep(checked: Value, to: Option<SecretRef>) -> Keep {
        Keep { key: "api_key", checked, checked_account: "office/api_key".into(), to, old_entry: None }
    }

    fn run(k: &Keep, p: &mut Profile) -> Result<Settled, Refusal> {
        tokio::runtime::Builder::new_current_thread().enable_all().build().expect("rt").block_on(k.settle(p))
    }

    #[test]
    fn a_reference_is_saved_only_when_it_gives_the_checked_secret() {
        let typed = Value::Secret(SecretString::from("checked-key-1"));
        let echo = |s: &str| SecretRef::Command(vec!["echo".into(), s.into()]);
        let to = echo("another-key-2");
        let e = run(&keep(typed.clone(), Some(to.clone())), &mut profile()).expect_err("another secret");
        assert!(e.to_string().contains("gives another secret than the one just checked"), "{e}");
        assert!(!e.to_string().contains("checked-key-1"), "the checked secret is never shown: {e}");

        let to = echo("checked-key-1");
        let mut p = profile();
        let settled = run(&keep(typed.clone(), Some(to.clone())), &mut p).expect("same secret");
        assert!(settled.replaced.is_none() && settled.forget.is_none(), "{settled:?}");
        assert_eq!(p.values.secret_ref("api_key"), Some(&to));

        // Into the file: the typed secret itself.
        let mut p = profile();
        run(&keep(typed, None), &mut p).expect("file");
        assert_eq!(p.values.secret("api_key").map(|s| s.expose_secret().to_string()).as_deref(), Some("checked-key-1"));

        // The checked reference kept: nothing read (an unset variable would fail if it were).
        let unset = SecretRef::Env("PBXLINK_KEEP_TEST_UNSET".into());
        let mut p = profile();
        let settled = run(&keep(Value::Ref(unset.clone()), Some(unset.clone())), &mut p).expect("kept as it is");
        assert!(settled.replaced.is_none() && settled.forget.is_none(), "{settled:?}");
        assert_eq!(p.values.secret_ref("api_key"), Some(&unset));
    }

    #[test]
    fn the_entry_the_profile_read_goes_once_the_secret_lives_elsewhere() {
        let typed = Value::Secret(SecretString::from("checked-key-1"));
        let mut k = keep(typed, None);
        k.old_entry = Some("office/api_key".into());
        let settled = run(&k, &mut profile()).expect("into the file");
        assert_eq!(settled.forget.as_deref(), Some("office/api_key"));
        // Kept by a reference that gives it: the old entry goes too.
        k.to = Some(SecretRef::Command(vec!["echo".into(), "checked-key-1".into()]));
        assert_eq!(run(&k, &mut profile()).expect("by reference").forget.as_deref(), Some("office/api_key"));
    }

    #[test]
    fn a_secret_read_through_a_reference_meets_the_one_line_rule() {
        // The checked reference printed two lines: what would be kept is not what validation used.
        // (The value is built by printf, so the command line that errors name does not hold it.)
        let argv = ["printf", "%s-%s\\nsecond-line", "checked", "key-1"];
        let two_lines = SecretRef::Command(argv.iter().map(|a| a.to_string()).collect());
        let e = run(&keep(Value::Ref(two_lines), None), &mut profile()).expect_err("two lines");
        assert!(e.to_string().contains("is not one secret"), "{e}");
        assert!(!e.to_string().contains("checked-key-1"), "never the value: {e}");
    }
}
