//! Secrets kept where users keep them: a secret field (`api_key`, `client_secret`) may hold, in
//! place of the value, a reference that pbxlink reads when it needs the secret, and never stores:
//! `{ env = "OFFICE_KEY" }` (an environment variable) or `{ command = ["pass", "show", "pbx/office"] }`
//! (a program run directly, no shell, bounded by [`COMMAND_TIMEOUT`], its output with one final
//! newline trimmed) or `{ keyring = true }` (the OS keyring, service `pbxlink`, account
//! `<profile>/<field>`: [`super::os_keyring`]). A reference that cannot be read is a configuration error naming what is
//! missing; nothing of the secret is ever in it.

use secrecy::SecretString;
use std::time::Duration;
use toml_edit::{InlineTable, Item, Value};

use crate::report::Refusal;

/// How long a secret command may run.
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(10);

/// Where a secret is read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretRef {
    Env(String),
    /// The program and its arguments.
    Command(Vec<String>),
    /// The OS keyring's entry for this profile and field.
    Keyring,
}

impl SecretRef {
    /// The reference a profile's `key` holds, when it holds a table rather than a string; `None`
    /// for anything else (the caller reads a string).
    pub fn from_item(key: &str, item: &Item) -> Option<Result<SecretRef, Refusal>> {
        let t = item.as_table_like()?;
        let shape = || {
            Refusal::from(format!(
                "{key}: a reference is {{ env = \"VAR\" }}, {{ command = [\"pass\", \"show\", \"pbx/office\"] }} or {{ keyring = true }}"
            ))
        };
        let keys: Vec<&str> = t.iter().map(|(k, _)| k).collect();
        Some(match keys.as_slice() {
            ["env"] => match t.get("env").and_then(Item::as_str).map(str::trim) {
                Some(var) if !var.is_empty() && !var.contains('=') => Ok(SecretRef::Env(var.to_string())),
                _ => Err(shape()),
            },
            ["command"] => {
                let argv: Option<Vec<String>> = t
                    .get("command")
                    .and_then(Item::as_array)
                    .map(|a| a.iter().map(|v| v.as_str().map(str::to_string)).collect::<Option<_>>())
                    .unwrap_or(None);
                match argv {
                    Some(argv) if argv.first().is_some_and(|p| !p.trim().is_empty()) => Ok(SecretRef::Command(argv)),
                    _ => Err(shape()),
                }
            }
            ["keyring"] => match t.get("keyring").and_then(Item::as_bool) {
                Some(true) => Ok(SecretRef::Keyring),
                _ => Err(shape()),
            },
            _ => Err(shape()),
        })
    }

    /// A reference as `--api-key-ref` takes it: `env:VAR`, `command:PROGRAM ARG...` (split at
    /// spaces; no shell, no quoting) or `keyring`.
    pub fn parse_flag(flag: &str, s: &str) -> Result<SecretRef, Refusal> {
        let bad = || Refusal::from(format!("{flag} \"{s}\": give env:VAR, command:PROGRAM ARG... or keyring"));
        if s == "keyring" {
            return Ok(SecretRef::Keyring);
        }
        match s.split_once(':') {
            Some(("env", var)) if !var.trim().is_empty() && !var.contains('=') => Ok(SecretRef::Env(var.trim().into())),
            Some(("command", cmd)) => {
                let argv: Vec<String> = cmd.split_whitespace().map(str::to_string).collect();
                if argv.is_empty() { Err(bad()) } else { Ok(SecretRef::Command(argv)) }
            }
            _ => Err(bad()),
        }
    }

    /// The reference as `--api-key-ref` takes it (`env:OFFICE_KEY`, `command:pass show x`,
    /// `keyring`): what the guide's review shows for an edited profile's reference.
    pub fn flag_text(&self) -> String {
        match self {
            SecretRef::Env(var) => format!("env:{var}"),
            SecretRef::Command(argv) => format!("command:{}", argv.join(" ")),
            SecretRef::Keyring => "keyring".into(),
        }
    }

    /// As the profile file writes it.
    pub fn to_toml(&self) -> Value {
        let mut t = InlineTable::new();
        match self {
            SecretRef::Env(var) => t.insert("env", var.as_str().into()),
            SecretRef::Command(argv) => {
                t.insert("command", argv.iter().map(String::as_str).collect::<toml_edit::Array>().into())
            }
            SecretRef::Keyring => t.insert("keyring", true.into()),
        };
        Value::InlineTable(t)
    }

    /// Where it reads from, for `show`, `list --json` and errors: "env OFFICE_KEY",
    /// "command pass show pbx/office", "keyring (service pbxlink, account office/api_key)";
    /// `account` is the keyring account of the field holding it.
    pub fn source(&self, account: &str) -> String {
        match self {
            SecretRef::Env(var) => format!("env {var}"),
            SecretRef::Command(argv) => format!("command {}", argv.join(" ")),
            SecretRef::Keyring => format!("keyring (service {}, account {account})", super::os_keyring::SERVICE),
        }
    }

    /// The secret of field `key`, read now and held to the rule every secret meets (one line, no
    /// spaces): a value that breaks it would be refused by the server as a wrong key, a wrong
    /// verdict on a working one. Errors name the field and where it was read, never the value.
    pub async fn read_field(&self, key: &str, account: &str) -> Result<SecretString, Refusal> {
        use secrecy::ExposeSecret;
        let secret = self.resolve(account).await.map_err(|e| format!("{key}: {e}"))?;
        match crate::guide::FieldKind::Secret.check(secret.expose_secret()) {
            Ok(v) => Ok(SecretString::from(v)),
            Err(e) => Err(format!(
                "{key}: what {} gave is not one secret ({e}); make it print only the secret (several lines: [\"sh\", \"-c\", \"pass show pbx/office | head -n 1\"])",
                self.source(account)
            )
            .into()),
        }
    }

    /// The secret, read now. Never kept: each use reads it again. `account` is the keyring
    /// account of the field holding the reference ([`super::os_keyring::account`]).
    pub async fn resolve(&self, account: &str) -> Result<SecretString, Refusal> {
        match self {
            SecretRef::Env(var) => match std::env::var(var) {
                Ok(v) if !v.trim().is_empty() => Ok(SecretString::from(trim_newline(v))),
                Ok(_) => Err(format!("the environment variable {var} is empty").into()),
                Err(_) => Err(format!("the environment variable {var} is not set").into()),
            },
            SecretRef::Command(argv) => run(argv).await,
            SecretRef::Keyring => super::os_keyring::read(account).await,
        }
    }
}

/// The most a secret command's stdout or stderr is read: a secret is a line, an error a few.
pub const COMMAND_OUTPUT_LIMIT: u64 = 64 * 1024;

/// Reads `pipe` to its end, or to one byte past [`COMMAND_OUTPUT_LIMIT`].
async fn bounded(pipe: impl tokio::io::AsyncRead + Unpin) -> Vec<u8> {
    use tokio::io::AsyncReadExt;
    let mut buf = Vec::new();
    let _ = pipe.take(COMMAND_OUTPUT_LIMIT + 1).read_to_end(&mut buf).await;
    buf
}

/// What a secret command left: its status, stdout and stderr (each bounded).
struct Output {
    status: std::process::ExitStatus,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

/// Runs `argv` directly (no shell), stdin closed, in a process group of its own, bounded by
/// [`COMMAND_TIMEOUT`] and [`COMMAND_OUTPUT_LIMIT`]: past either, the whole group is killed (a
/// shell's children too) and the command is said to have failed, never the run. Its stdout is the
/// secret. Its stderr is shown only by its first line, which names the problem (`pass`: "is not
/// in the password store"), without what the command printed that may be its secret; never its
/// stdout.
async fn run(argv: &[String]) -> Result<SecretString, Refusal> {
    let shown = argv.join(" ");
    let mut cmd = tokio::process::Command::new(&argv[0]);
    cmd.args(&argv[1..])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .process_group(0)
        .kill_on_drop(true);
    let mut child = cmd.spawn().map_err(|e| format!("the secret command `{shown}` could not start: {e}"))?;
    let group = child.id().and_then(|id| rustix::process::Pid::from_raw(id as i32));
    let kill_group = || {
        if let Some(pid) = group {
            let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
        }
    };
    let (Some(stdout), Some(stderr)) = (child.stdout.take(), child.stderr.take()) else {
        kill_group();
        return Err(format!("the secret command `{shown}` could not be read").into());
    };
    let all = async {
        let (stdout, stderr) = tokio::join!(bounded(stdout), bounded(stderr));
        // Past the bound it may be blocked writing the rest: it is stopped before it is waited for.
        if stdout.len() as u64 > COMMAND_OUTPUT_LIMIT || stderr.len() as u64 > COMMAND_OUTPUT_LIMIT {
            kill_group();
        }
        (stdout, stderr, child.wait().await)
    };
    let out = match tokio::time::timeout(COMMAND_TIMEOUT, all).await {
        Ok((stdout, stderr, Ok(status))) => Output { status, stdout, stderr },
        Ok((_, _, Err(e))) => {
            kill_group();
            return Err(format!("the secret command `{shown}` failed: {e}").into());
        }
        Err(_) => {
            kill_group();
            let secs = COMMAND_TIMEOUT.as_secs();
            return Err(format!(
                "the secret command `{shown}` did not finish within {secs} s (was it waiting for input?)"
            )
            .into());
        }
    };
    if out.stdout.len() as u64 > COMMAND_OUTPUT_LIMIT || out.stderr.len() as u64 > COMMAND_OUTPUT_LIMIT {
        return Err(format!(
            "the secret command `{shown}` printed more than {} KiB: a secret is one line; make it print only the secret",
            COMMAND_OUTPUT_LIMIT / 1024
        )
        .into());
    }
    if !out.status.success() {
        // A command that failed may still have printed its secret, on stdout (all of it is kept
        // out of the line quoted) or on stderr next to the reason (only the first line is quoted).
        let printed = crate::redact::Redactor::default();
        let stdout = String::from_utf8_lossy(&out.stdout);
        printed.add(trim_newline(stdout.to_string()).as_str(), &[]);
        for l in stdout.lines() {
            printed.add(l.trim(), &[]);
        }
        let said = String::from_utf8_lossy(&out.stderr);
        let said = said
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .map(|l| format!(": {}", crate::text::one_line(&secret_like_out(&printed.redact(l)), 160)));
        let code = out.status.code().map_or_else(|| "was killed".to_string(), |c| format!("exited with {c}"));
        return Err(format!("the secret command `{shown}` {code}{}", said.unwrap_or_default()).into());
    }
    let Ok(text) = String::from_utf8(out.stdout) else {
        return Err(format!("the secret command `{shown}` printed something that is not text").into());
    };
    let secret = trim_newline(text);
    if secret.trim().is_empty() {
        return Err(format!("the secret command `{shown}` printed nothing").into());
    }
    Ok(SecretString::from(secret))
}

/// A secret command's stderr line without the words that look like a secret it printed there
/// alone (12 characters or more, letters and digits mixed, no `/`: not a path, not a sentence's
/// word), which nothing else could tell from its reason.
fn secret_like_out(line: &str) -> String {
    let secret_like = |w: &str| {
        let w = w.trim_matches(|c: char| c.is_ascii_punctuation() && c != '-' && c != '_');
        w.chars().count() >= 12
            && !w.contains('/')
            && w.chars().any(|c| c.is_ascii_digit())
            && w.chars().any(|c| c.is_alphabetic())
    };
    line.split(' ').map(|w| if secret_like(w) { crate::redact::REDACTED } else { w }).collect::<Vec<_>>().join(" ")
}

/// The value without one final newline (`\n` or `\r\n`), as `pass show` and `echo` end theirs.
fn trim_newline(mut s: String) -> String {
    if s.ends_with('\n') {
        s.pop();
        if s.ends_with('\r') {
            s.pop();
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    fn item(toml: &str) -> Item {
        let doc: toml_edit::DocumentMut = format!("k = {toml}").parse().expect("toml");
        doc["k"].clone()
    }

    #[test]
    fn references_are_read_from_the_file_and_written_back_the_same() {
        for (toml, want) in [
            (r#"{ env = "OFFICE_KEY" }"#, SecretRef::Env("OFFICE_KEY".into())),
            (
                r#"{ command = ["pass", "show", "pbx/office"] }"#,
                SecretRef::Command(vec!["pass".into(), "show".into(), "pbx/office".into()]),
            ),
            ("{ keyring = true }", SecretRef::Keyring),
        ] {
            let r = SecretRef::from_item("api_key", &item(toml)).expect("a table").expect("valid");
            assert_eq!(r, want);
            assert_eq!(
                SecretRef::from_item("api_key", &Item::Value(r.to_toml())).expect("table").expect("valid"),
                want
            );
        }
        assert!(SecretRef::from_item("api_key", &item(r#""plain""#)).is_none(), "a string is a value");
        for bad in [
            r#"{ env = "" }"#,
            r#"{ command = [] }"#,
            r#"{ keyring = 1 }"#,
            r#"{ keyring = false }"#,
            r#"{ env = "A", command = ["x"] }"#,
            r#"{ command = [1] }"#,
        ] {
            let e = SecretRef::from_item("api_key", &item(bad)).expect("a table").expect_err(bad);
            assert!(e.contains("a reference is { env = \"VAR\" }"), "{bad}: {e}");
        }
        assert_eq!(SecretRef::parse_flag("--api-key-ref", "env:K"), Ok(SecretRef::Env("K".into())));
        assert_eq!(
            SecretRef::parse_flag("--api-key-ref", "command:pass show x"),
            Ok(SecretRef::Command(vec!["pass".into(), "show".into(), "x".into()]))
        );
        assert_eq!(SecretRef::parse_flag("--api-key-ref", "keyring"), Ok(SecretRef::Keyring));
        assert!(SecretRef::parse_flag("--api-key-ref", "keyring:x").is_err());
    }

    #[tokio::test]
    async fn a_command_gives_its_output_without_the_final_newline_or_says_what_failed() {
        let sh = |script: &str| SecretRef::Command(vec!["sh".into(), "-c".into(), script.into()]);
        let got = sh("printf 's3cret-value\\n'").resolve("t/api_key").await.expect("resolved");
        assert_eq!(got.expose_secret(), "s3cret-value");
        let got = sh("printf ' two words \\r\\n'").resolve("t/api_key").await.expect("resolved");
        assert_eq!(got.expose_secret(), " two words ", "only the final newline goes");
        let e = sh("echo 'Error: pbx/x is not in the password store.' >&2; exit 1")
            .resolve("t/api_key")
            .await
            .expect_err("fails");
        assert!(e.contains("exited with 1: Error: pbx/x is not in the password store."), "{e}");
        // What it printed, on stdout or alone on stderr, is not quoted back.
        let e = sh("echo s3cret-v4lue-0099; echo 'bad s3cret-v4lue-0099' >&2; exit 1")
            .resolve("t")
            .await
            .expect_err("fails");
        assert!(e.ends_with("exited with 1: bad [redacted]"), "{e}");
        let e = sh("echo 'only here: k3y-from-st0re-77' >&2; exit 2").resolve("t").await.expect_err("fails");
        assert!(e.ends_with("exited with 2: only here: [redacted]"), "{e}");
        // Endless output is cut, the command (and its shell's children) stopped, the run goes on.
        let started = std::time::Instant::now();
        for endless in ["yes", "yes >&2"] {
            let e = sh(endless).resolve("t").await.expect_err("endless");
            assert!(e.contains("printed more than 64 KiB"), "{e}");
        }
        assert!(started.elapsed() < COMMAND_TIMEOUT, "stopped at the bound, not at the timeout");
        assert!(sh("true").resolve("t/api_key").await.expect_err("empty").contains("printed nothing"));
        let e =
            SecretRef::Command(vec!["/nonexistent/pass".into()]).resolve("t/api_key").await.expect_err("no program");
        assert!(e.contains("could not start"), "{e}");
        let e = SecretRef::Env("PBXLINK_TEST_SURELY_UNSET".into()).resolve("t/api_key").await.expect_err("unset");
        assert!(e.contains("PBXLINK_TEST_SURELY_UNSET is not set"), "{e}");
    }
}
