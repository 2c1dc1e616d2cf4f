//! 3CX's CRM integration settings as XAPI reports them (`GET /xapi/v1/CrmIntegration`): which CRM
//! template the PBX uses and whether calls are looked up. Read back for a CX-Engine profile that
//! links a 3CX profile. Pure: `check.rs` sends the request.
//!
//! Facts (3CX's XAPI spec): `Pbx.CrmIntegration` has `Id`, `Name` (the selected template's name),
//! `Country`, `EnabledForDidCalls`, `EnabledForExternalCalls` (nullable booleans). Inferred: an empty
//! `Name` means no template is selected. `POST /CrmIntegration/Pbx.Test` exists but is never called:
//! 3CX does not keep the fresh token after a test, which breaks the connector until Authorize.

use serde::Deserialize;

use crate::report::FailureKind;
use crate::validate::{Answer, Failure, one_line, status_failure};

pub const PATH: &str = "/xapi/v1/CrmIntegration?$select=Name,EnabledForExternalCalls,EnabledForDidCalls";

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Settings {
    name: Option<String>,
    enabled_for_external_calls: Option<bool>,
    enabled_for_did_calls: Option<bool>,
}

/// What 3CX uses, or why it is not what the profile expects. `expected` is the template's own
/// name (from the file the profile records), when known.
pub fn interpret(a: &Answer, expected: Option<&str>) -> Result<String, Failure> {
    if let Some((kind, detail)) = status_failure(a) {
        return Err(match kind {
            FailureKind::Forbidden => (kind, format!("{detail} (this 3CX role may not read the CRM settings)")),
            FailureKind::NotFound => (kind, format!("{detail} (this 3CX has no CRM integration API)")),
            _ => crate::providers::threecx::after_token((kind, detail)),
        });
    }
    let s: Settings = serde_json::from_slice(&a.body).map_err(|_| {
        (
            FailureKind::BadResponse,
            format!("HTTP {}: the CRM settings are not JSON, so this is not the 3CX XAPI", a.status),
        )
    })?;
    let name = s.name.as_deref().map(str::trim).unwrap_or("");
    if name.is_empty() {
        return Err((FailureKind::NotFound, "no CRM template is selected".into()));
    }
    let name = one_line(name, 60);
    if let Some(want) = expected.filter(|w| !w.trim().eq_ignore_ascii_case(&name)) {
        return Err((
            FailureKind::NotFound,
            format!("the CRM template in use is \"{name}\", not \"{}\"", one_line(want, 60)),
        ));
    }
    let on = |b: Option<bool>| match b {
        Some(true) => "on",
        Some(false) => "off",
        None => "not set",
    };
    Ok(format!(
        "3CX uses \"{name}\"; lookups: external calls {}, DID calls {}",
        on(s.enabled_for_external_calls),
        on(s.enabled_for_did_calls)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ans(status: u16, body: &str) -> Answer {
        Answer { status, body: body.as_bytes().to_vec(), ..Default::default() }
    }

    #[test]
    fn selected_template() {
        let body = r#"{"Name":"CX-Engine","EnabledForExternalCalls":true,"EnabledForDidCalls":null}"#;
        assert_eq!(
            interpret(&ans(200, body), Some("cx-engine")),
            Ok("3CX uses \"CX-Engine\"; lookups: external calls on, DID calls not set".into())
        );
        let (k, d) = interpret(&ans(200, body), Some("Salesforce")).expect_err("other");
        assert_eq!(k, FailureKind::NotFound);
        assert_eq!(d, "the CRM template in use is \"CX-Engine\", not \"Salesforce\"");
    }

    #[test]
    fn nothing_selected_or_not_readable() {
        let kind = |a| interpret(&a, None).map_err(|f| f.0);
        assert_eq!(kind(ans(200, r#"{"Name":""}"#)), Err(FailureKind::NotFound));
        assert_eq!(kind(ans(200, "{}")), Err(FailureKind::NotFound));
        assert_eq!(kind(ans(200, "<html>")), Err(FailureKind::BadResponse));
        assert_eq!(kind(ans(403, "")), Err(FailureKind::Forbidden));
        assert!(interpret(&ans(404, ""), None).expect_err("404").1.contains("no CRM integration API"));
    }
}
