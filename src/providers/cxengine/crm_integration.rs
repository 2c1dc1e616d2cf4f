//! 3CX's CRM integration settings as XAPI reports them (`GET /xapi/v1/CrmIntegration`): which CRM
//! template the PBX uses and whether calls are looked up. Read back for a CX-Engine profile that
//! links a 3CX profile. Pure: `check.rs` sends the request.
//!
//! Facts (3CX's XAPI spec): `Pbx.CrmIntegration` has `Id`, `Name` (the selected template's name),
//! `Country`, `EnabledForDidCalls`, `EnabledForExternalCalls` (nullable booleans). Not documented:
//! what an empty `Name` means, and that `Name` is the template file's `<Crm Name>`: both are shown,
//! never judged. `POST /CrmIntegration/Pbx.Test` exists but is never called:
//! 3CX does not keep the fresh token after a test, which breaks the connector until Authorize.

use serde::Deserialize;

use crate::report::FailureKind;
use crate::text::one_line;
use crate::validate::{Answer, Failure, status_failure};

pub const PATH: &str = "/xapi/v1/CrmIntegration?$select=Name,EnabledForExternalCalls,EnabledForDidCalls";

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Settings {
    name: Option<String>,
    enabled_for_external_calls: Option<bool>,
    enabled_for_did_calls: Option<bool>,
}

/// What the read shows, when 3CX answered with its settings.
#[derive(Debug, PartialEq, Eq)]
pub enum Crm {
    /// 3CX names the template the profile records (or the profile records none): the detail.
    Uses(String),
    /// What 3CX shows does not prove anything either way: both names, and why it is not judged.
    NotChecked(String),
}

/// What 3CX uses, or why it cannot be read. `expected` is the template file's own name (`<Crm
/// Name=…>`), when the profile records the file. That 3CX's `Name` equals the file's is nowhere
/// documented, and what an empty `Name` means is not either: neither is ever a failure.
pub fn interpret(a: &Answer, expected: Option<&str>) -> Result<Crm, Failure> {
    if let Some((kind, detail)) = status_failure(a) {
        return Err(match kind {
            FailureKind::Forbidden => (kind, format!("{detail} (this 3CX role may not read the CRM settings)")),
            FailureKind::NotFound => (kind, format!("{detail} (this address has no 3CX CRM settings API)")),
            _ => crate::providers::threecx::after_token((kind, detail)),
        });
    }
    let s: Settings = serde_json::from_slice(&a.body).map_err(|_| {
        (
            FailureKind::BadResponse,
            format!("HTTP {}: the CRM settings are not JSON, so this is not the 3CX XAPI", a.status),
        )
    })?;
    let on = |b: Option<bool>| match b {
        Some(true) => "on",
        Some(false) => "off",
        None => "not set",
    };
    let lookups = format!(
        "lookups: external calls {}, DID calls {}",
        on(s.enabled_for_external_calls),
        on(s.enabled_for_did_calls)
    );
    let name = s.name.as_deref().map(str::trim).unwrap_or("");
    if name.is_empty() {
        return Ok(Crm::NotChecked(format!(
            "not checked: 3CX names no CRM template (Name is empty; 3CX does not document what that means); {lookups}"
        )));
    }
    let name = one_line(name, 60);
    match expected.map(|w| one_line(w, 60)) {
        Some(want) if !want.eq_ignore_ascii_case(&name) => Ok(Crm::NotChecked(format!(
            "not checked: 3CX uses \"{name}\", the template file is named \"{want}\" (3CX does not document \
             that the two are equal); {lookups}"
        ))),
        _ => Ok(Crm::Uses(format!("3CX uses \"{name}\"; {lookups}"))),
    }
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
            Ok(Crm::Uses("3CX uses \"CX-Engine\"; lookups: external calls on, DID calls not set".into()))
        );
        assert_eq!(interpret(&ans(200, body), None).map(|c| matches!(c, Crm::Uses(_))), Ok(true));
    }

    /// Another name is shown beside the file's, never failed: their equality is not documented.
    #[test]
    fn another_name_is_not_checked() {
        let body = r#"{"Name":"CX-Engine","EnabledForExternalCalls":true,"EnabledForDidCalls":false}"#;
        assert_eq!(
            interpret(&ans(200, body), Some("CX-Engine CRM")),
            Ok(Crm::NotChecked(
                "not checked: 3CX uses \"CX-Engine\", the template file is named \"CX-Engine CRM\" (3CX does not \
                 document that the two are equal); lookups: external calls on, DID calls off"
                    .into()
            ))
        );
    }

    #[test]
    fn nothing_named_or_not_readable() {
        let kind = |a| interpret(&a, None).map_err(|f| f.0);
        assert!(
            matches!(kind(ans(200, r#"{"Name":""}"#)), Ok(Crm::NotChecked(d)) if d.contains("names no CRM template"))
        );
        assert!(matches!(kind(ans(200, "{}")), Ok(Crm::NotChecked(_))));
        assert_eq!(kind(ans(200, "<html>")), Err(FailureKind::BadResponse));
        assert_eq!(kind(ans(403, "")), Err(FailureKind::Forbidden));
        assert!(interpret(&ans(404, ""), None).expect_err("404").1.contains("no 3CX CRM settings API"));
    }
}
