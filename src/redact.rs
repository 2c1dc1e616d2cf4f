//! Secrets kept out of every text that came from elsewhere. A server may echo the request it
//! refused (the form with `client_secret`, the `Authorization` header) in its error text, and a
//! secret command may print its secret to stderr: such text is shown, logged and stored only after
//! every secret the request carried is replaced, in each form it may come back in (as sent,
//! percent-encoded as in a form, escaped as in JSON, Base64 as in a Basic header).
//!
//! A [`Redactor`] is shared by the sessions of one validation (they add what each request
//! carries) and by whoever turns their answers into text. Bottom layer: it knows no vendor, no
//! HTTP and no profile.

use std::sync::{Arc, Mutex};

/// What stands in a text where a secret was.
pub const REDACTED: &str = "[redacted]";

/// A secret shorter than this is not looked for: it would cut ordinary words out of every text,
/// and no vendor issues one so short.
const SHORTEST: usize = 4;

/// The secret forms to take out of texts. Cloning shares them: every session of one validation
/// adds to the same list.
#[derive(Debug, Clone, Default)]
pub struct Redactor(Arc<Mutex<Vec<String>>>);

impl Redactor {
    /// Adds `secret` in each form it may come back in; `users` are names it was sent with in an
    /// HTTP Basic header (`user:secret`, Base64).
    pub fn add(&self, secret: &str, users: &[&str]) {
        if secret.chars().count() < SHORTEST {
            return;
        }
        let Ok(mut forms) = self.0.lock() else { return };
        for form in secret_forms(secret, users) {
            if form.len() >= SHORTEST && !forms.contains(&form) {
                forms.push(form);
            }
        }
        // Longest first: a form that holds another is replaced whole.
        forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
    }

    /// `text` with every known secret form replaced by [`REDACTED`].
    pub fn redact(&self, text: &str) -> String {
        let Ok(forms) = self.0.lock() else { return text.to_string() };
        let mut out = text.to_string();
        for f in forms.iter() {
            if out.contains(f.as_str()) {
                out = out.replace(f.as_str(), REDACTED);
            }
        }
        out
    }

    /// Whether it knows no secret yet.
    pub fn is_empty(&self) -> bool {
        self.0.lock().map(|f| f.is_empty()).unwrap_or(true)
    }
}

/// The forms a secret may come back in from a server that echoes a request: as sent, as a form
/// field encodes it, as JSON escapes it, in Base64 (standard and URL-safe), and inside the Base64
/// of an HTTP Basic `user:secret`.
pub fn secret_forms(secret: &str, users: &[&str]) -> Vec<String> {
    use base64::Engine;
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
    if secret.is_empty() {
        return Vec::new();
    }
    let mut forms = vec![secret.to_string()];
    forms.push(form_urlencoded::byte_serialize(secret.as_bytes()).collect());
    if let Ok(json) = serde_json::to_string(secret) {
        forms.push(json.trim_matches('"').to_string());
    }
    forms.push(STANDARD.encode(secret));
    forms.push(URL_SAFE_NO_PAD.encode(secret));
    for user in users {
        forms.push(STANDARD.encode(format!("{user}:{secret}")));
    }
    forms.dedup();
    forms
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    #[test]
    fn every_form_of_a_secret_is_taken_out() {
        let r = Redactor::default();
        let secret = "s3cr3t+/=\"value";
        r.add(secret, &["eght_app"]);
        let basic = base64::engine::general_purpose::STANDARD.encode(format!("eght_app:{secret}"));
        let echo = format!(
            "bad request: client_secret={}&grant_type=x; header Basic {basic}; json {}; raw {secret}",
            form_urlencoded::byte_serialize(secret.as_bytes()).collect::<String>(),
            serde_json::to_string(secret).unwrap_or_default()
        );
        let out = r.redact(&echo);
        assert!(!out.contains("s3cr3t") && !out.contains(&basic), "{out}");
        assert!(out.contains("client_secret=[redacted]") && out.contains("Basic [redacted]"), "{out}");
        assert_eq!(r.redact("nothing secret here"), "nothing secret here");
    }

    #[test]
    fn short_or_empty_secrets_cut_nothing() {
        let r = Redactor::default();
        r.add("", &[]);
        r.add("ab", &[]);
        assert!(r.is_empty());
        assert_eq!(r.redact("abc ab"), "abc ab");
    }

    #[test]
    fn clones_share_what_they_learn() {
        let r = Redactor::default();
        let session = r.clone();
        session.add("bearer-token-1234", &[]);
        assert_eq!(r.redact("Bearer bearer-token-1234"), "Bearer [redacted]");
    }
}
