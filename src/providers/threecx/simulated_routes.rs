//! Where the simulated 3CX sends each request: the token endpoint, Call Control, the XAPI reads
//! a validation makes (`Defs`, `SystemStatus`, `CrmIntegration`), the service principals and their
//! app tokens, the reads `pbxlink 3cx principals` and `capabilities` make (`simulated_reads`), and
//! OData's 404 for the rest.

use bytes::Bytes;
use hyper::http::request::Parts;

use super::simulated::{
    Behaviour, ThreeCxSite, call_control, end_session, odata_error, select, system_status, token, with_account,
};
use super::simulated_principals::{app_token_id, generate_app_token, principals_page};
use crate::simulator::{Resp, Site, json};

impl Site for ThreeCxSite {
    fn answer(&self, parts: &Parts, body: &Bytes) -> Option<Resp> {
        let path = parts.uri.path();
        (path == "/connect/token"
            || path.starts_with("/xapi/")
            || path == "/callcontrol"
            || path.starts_with("/callcontrol/"))
        .then(|| route(self, parts, body))
    }

    fn delayed(&self, parts: &Parts) -> bool {
        parts.method == hyper::Method::GET && parts.uri.path().starts_with("/xapi/")
    }
}

fn route(st: &ThreeCxSite, parts: &Parts, body: &Bytes) -> Resp {
    let path = parts.uri.path();
    match (parts.method.as_str(), path) {
        ("POST", "/connect/token") => token(st, parts, body),
        ("GET", "/callcontrol") => call_control(st, parts),
        ("GET", "/xapi/v1/Defs") => with_account(st, parts, |a| {
            // Where SystemStatus is refused, Defs is a validation's last read.
            if a.behaviour == Behaviour::LowRole {
                end_session(st);
            }
            let mut r = json(200, r#"{"@odata.context":"https://localhost/xapi/v1/$metadata#Defs(Id)","Id":0}"#);
            if let Ok(v) = hyper::header::HeaderValue::from_str(a.version()) {
                r.headers_mut().insert("X-3CX-Version", v);
            }
            r
        }),
        ("GET", "/xapi/v1/SystemStatus") => with_account(st, parts, |a| {
            if a.behaviour == Behaviour::LowRole {
                return odata_error(403, "Forbidden", "Access denied");
            }
            end_session(st);
            json(200, select(system_status(a), parts.uri.query()).to_string())
        }),
        ("GET", "/xapi/v1/CrmIntegration") => with_account(st, parts, |a| {
            // This read ends a CX-Engine validation's 3CX part, as SystemStatus ends a 3CX one.
            end_session(st);
            if a.behaviour == Behaviour::LowRole {
                return odata_error(403, "Forbidden", "Access denied");
            }
            let name = st.crm_template.lock().ok().and_then(|t| t.clone()).unwrap_or_default();
            let all = serde_json::json!({
                "Id": "crm", "Name": name, "Country": "", "EnabledForDidCalls": false,
                "EnabledForExternalCalls": !name.is_empty(), "PhonebookSynchronization": false, "VariableChoices": [],
            });
            json(200, select(all, parts.uri.query()).to_string())
        }),
        // A principals listing ends its session too, with its last page: it is the last XAPI
        // call after its token.
        ("GET", "/xapi/v1/ServicePrincipals") => with_account(st, parts, |a| {
            if a.behaviour == Behaviour::LowRole {
                end_session(st);
                return odata_error(403, "Forbidden", "Access denied");
            }
            principals_page(st, parts, a.version())
        }),
        ("POST", p) if app_token_id(p).is_some() => with_account(st, parts, |a| {
            end_session(st);
            if a.behaviour == Behaviour::LowRole {
                return odata_error(403, "Forbidden", "Access denied");
            }
            generate_app_token(st, app_token_id(p).unwrap_or(-1))
        }),
        ("GET", p) if super::simulated_reads::claims(p) => super::simulated_reads::answer(st, parts),
        (_, p) if p.starts_with("/xapi/") || p.starts_with("/callcontrol") => {
            with_account(st, parts, |_| odata_error(404, "NotFound", "Resource not found"))
        }
        _ => odata_error(404, "NotFound", "Not found"),
    }
}
