//! The OS keyring behind `{ keyring = true }`: service `pbxlink`, account `<profile>/<field>`
//! (`office/api_key`), through the keyring crate (the Secret Service over D-Bus on Linux, the
//! Keychain on macOS, the Credential Manager on Windows). Every call is bounded by [`TIMEOUT`]: a
//! locked keyring may wait for a password prompt nobody sees over SSH, and a hung D-Bus must not
//! hang a cron run. Without the `keyring` feature (the static PBX-host build) each call says so and
//! names the alternatives.

use secrecy::SecretString;
use std::time::Duration;

use crate::report::Refusal;

/// The keyring service every pbxlink entry is filed under.
pub const SERVICE: &str = "pbxlink";

/// How long one keyring call may take.
pub const TIMEOUT: Duration = Duration::from_secs(3);

/// The keyring account of a profile's secret field: `office/api_key`.
pub fn account(profile: &str, field: &str) -> String {
    format!("{profile}/{field}")
}

/// The flag that stores a field's secret elsewhere: `api_key` → `--api-key-ref`.
fn ref_flag(account: &str) -> String {
    let field = account.rsplit_once('/').map_or(account, |(_, f)| f);
    format!("--{}-ref", field.replace('_', "-"))
}

/// The secret stored for `account`, read now.
pub async fn read(account: &str) -> Result<SecretString, Refusal> {
    let acct = account.to_string();
    let got = call(account, move || imp::read(&acct)).await?;
    Ok(SecretString::from(got))
}

/// What `account` holds now, `None` when it holds nothing: read before it is replaced, so a
/// failed save can put it back.
pub async fn previous(account: &str) -> Result<Option<SecretString>, Refusal> {
    let acct = account.to_string();
    let got = call(account, move || match imp::read(&acct) {
        Ok(s) => Ok(Some(s)),
        Err(Failure::NoEntry) => Ok(None),
        Err(e) => Err(e),
    })
    .await?;
    Ok(got.map(SecretString::from))
}

/// Stores `secret` for `account`, replacing what was there.
pub async fn store(account: &str, secret: &SecretString) -> Result<(), Refusal> {
    use secrecy::ExposeSecret;
    let acct = account.to_string();
    let secret = SecretString::from(secret.expose_secret().to_string());
    call(account, move || imp::store(&acct, secret.expose_secret())).await
}

/// A keyring entry as it was before [`Before::replace`] stored a new secret in it, to put back
/// when the save that was to name the new one fails: a working key is never lost to a save that
/// did not happen.
#[derive(Debug)]
pub struct Before {
    pub account: String,
    held: Option<SecretString>,
}

impl Before {
    /// Stores `secret` for `account`, keeping what it held.
    pub async fn replace(account: &str, secret: &SecretString) -> Result<Before, Refusal> {
        let held = previous(account).await?;
        store(account, secret).await?;
        Ok(Before { account: account.to_string(), held })
    }

    /// Puts the entry back as it was: the old secret, or no entry.
    pub async fn restore(self) -> Result<(), Refusal> {
        match &self.held {
            Some(s) => store(&self.account, s).await,
            None => forget(&self.account).await.map(|_| ()),
        }
    }
}

/// Deletes the entry for `account`; `Ok(false)` when there was none.
pub async fn forget(account: &str) -> Result<bool, Refusal> {
    let acct = account.to_string();
    call(account, move || imp::forget(&acct)).await
}

/// Runs one blocking keyring call on a thread of its own, bounded by [`TIMEOUT`]. A detached
/// thread rather than tokio's blocking pool: the runtime waits for its blocking tasks when it shuts
/// down, and a call hung on D-Bus would hold the exit.
async fn call<T: Send + 'static>(
    account: &str,
    f: impl FnOnce() -> Result<T, Failure> + Send + 'static,
) -> Result<T, Refusal> {
    // Once a call has hung, the thread still holds the keyring's one connection: every later call
    // of this run would wait out the same 3 s (`validate --all` over many profiles), so it fails at once.
    if HUNG.load(std::sync::atomic::Ordering::Relaxed) {
        return Err(hung(account).into());
    }
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("keyring".into())
        .spawn(move || {
            let _ = tx.send(f());
        })
        .map_err(|e| format!("the OS keyring could not be asked: {e}"))?;
    match tokio::time::timeout(TIMEOUT, rx).await {
        Ok(Ok(Ok(v))) => Ok(v),
        Ok(Ok(Err(failure))) => Err(explain(account, failure).into()),
        Ok(Err(_)) => Err("the OS keyring call ended without an answer".into()),
        Err(_) => {
            HUNG.store(true, std::sync::atomic::Ordering::Relaxed);
            Err(hung(account).into())
        }
    }
}

/// Set when a call did not answer within [`TIMEOUT`].
static HUNG: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

fn hung(account: &str) -> String {
    format!(
        "the OS keyring did not answer within {} s (is it locked, waiting for its password?); unlock it, or keep the secret in an env var or a command: {} env:VAR | command:...",
        TIMEOUT.as_secs(),
        ref_flag(account)
    )
}

/// Why a keyring call failed, as far as the user can act on it.
#[cfg_attr(not(feature = "keyring"), allow(dead_code))]
enum Failure {
    /// No keyring to talk to (no D-Bus session, or this build has none), and why.
    Unreachable(String),
    NoEntry,
    /// The keyring is there but refused (locked, access denied).
    Locked(String),
    Other(String),
}

/// What a failed call tells the user: what is missing and what to do.
fn explain(account: &str, failure: Failure) -> String {
    let flag = ref_flag(account);
    let profile = account.split_once('/').map_or(account, |(p, _)| p);
    match failure {
        Failure::Unreachable(why) => format!(
            "no OS keyring is reachable ({why}); keep the secret in an env var or a command instead: {flag} env:VAR | command:PROGRAM ARG..."
        ),
        Failure::NoEntry => format!(
            "the OS keyring holds no secret for service {SERVICE}, account {account}; store it with `pbxlink set {profile} {flag} keyring {}` (or, adding the profile, give the same two flags to `pbxlink add`)",
            flag.replace("-ref", "-stdin")
        ),
        Failure::Locked(why) => {
            format!("the OS keyring refused access to service {SERVICE}, account {account} ({why}): is it locked?")
        }
        Failure::Other(why) => format!("the OS keyring failed for service {SERVICE}, account {account}: {why}"),
    }
}

#[cfg(feature = "keyring")]
mod imp {
    //! The keyring crate's calls, each mapped to what pbxlink tells the user. Only the error
    //! variant and its platform message are kept: `BadEncoding` and `BadDataFormat` carry the
    //! stored bytes, which are never printed.
    use super::Failure;
    use keyring::{Entry, Error};

    fn entry(account: &str) -> Result<Entry, Failure> {
        Entry::new(super::SERVICE, account).map_err(|e| match e {
            Error::NoDefaultStore => Failure::Unreachable(match Entry::store_status() {
                Err(why) => crate::text::one_line(&why.to_string(), 160),
                Ok(()) => "no default store".into(),
            }),
            other => failure(other),
        })
    }

    fn failure(e: Error) -> Failure {
        let line = |s: String| crate::text::one_line(&s, 160);
        match e {
            Error::NoEntry => Failure::NoEntry,
            Error::NoStorageAccess(why) => Failure::Locked(line(why.to_string())),
            Error::NoDefaultStore => Failure::Unreachable("no default store".into()),
            Error::PlatformFailure(why) => Failure::Other(line(why.to_string())),
            Error::BadEncoding(_) => Failure::Other("the stored secret is not UTF-8 text".into()),
            Error::BadDataFormat(_, _) => Failure::Other("the stored secret is not in a readable form".into()),
            Error::Ambiguous(found) => Failure::Other(format!(
                "{} entries match; delete all but one with secret-tool or seahorse",
                found.len()
            )),
            other => Failure::Other(line(other.to_string())),
        }
    }

    pub fn read(account: &str) -> Result<String, Failure> {
        entry(account)?.get_password().map_err(failure)
    }

    pub fn store(account: &str, secret: &str) -> Result<(), Failure> {
        entry(account)?.set_password(secret).map_err(failure)
    }

    pub fn forget(account: &str) -> Result<bool, Failure> {
        match entry(account)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(Error::NoEntry) => Ok(false),
            Err(e) => Err(failure(e)),
        }
    }
}

#[cfg(not(feature = "keyring"))]
mod imp {
    //! This build has no keyring: every call says so.
    use super::Failure;

    fn absent<T>() -> Result<T, Failure> {
        Err(Failure::Unreachable(
            "this pbxlink was built without the OS keyring, as the static build for PBX hosts is".into(),
        ))
    }

    pub fn read(_: &str) -> Result<String, Failure> {
        absent()
    }

    pub fn store(_: &str, _: &str) -> Result<(), Failure> {
        absent()
    }

    pub fn forget(_: &str) -> Result<bool, Failure> {
        absent()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_failure_names_the_entry_and_what_to_do() {
        assert_eq!(account("office", "api_key"), "office/api_key");
        let e = explain("office/api_key", Failure::NoEntry);
        assert!(e.contains("service pbxlink, account office/api_key"), "{e}");
        assert!(e.contains("pbxlink set office --api-key-ref keyring --api-key-stdin"), "{e}");
        let e = explain("cx/client_secret", Failure::Unreachable("no D-Bus session".into()));
        assert!(e.contains("no OS keyring is reachable (no D-Bus session)"), "{e}");
        assert!(e.contains("--client-secret-ref env:VAR | command:"), "{e}");
    }
}
