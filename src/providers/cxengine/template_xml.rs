//! Checks a 3CX CRM template (the `CXEngine.xml` that CX-Engine's CRM connector downloads) before
//! it is uploaded to 3CX: a file name 3CX accepts, and the structure 3CX's template format
//! documents, each problem with its line. Pure: the caller reads the file.
//!
//! Facts (3CX's "CRM template XML description" and the XAPI spec's enums): root `Crm` with `Name`,
//! integer `Version` and a mandatory `Country`; children `Number`, `Connection`, `Parameters`,
//! `Authentication`, `Scenarios`; `Number@Prefix` ∈ AsIs|Off|Plus|Zeros; `Parameter@Type` ∈
//! String|Integer|Double|Boolean|DateTime|Password|OAuth|List; `Parameter@Editor` ∈ String|Sql;
//! `Authentication@Type` ∈ No|Basic|Scenario. CX-Engine asks for a file name without spaces or
//! special characters, and recommends keeping `CXEngine.xml`.

pub use crate::profile::checked_file::FileNote as Problem;

/// The name CX-Engine recommends.
pub const RECOMMENDED_NAME: &str = "CXEngine.xml";

const PREFIXES: [&str; 4] = ["AsIs", "Off", "Plus", "Zeros"];
const PARAMETER_TYPES: [&str; 8] = ["String", "Integer", "Double", "Boolean", "DateTime", "Password", "OAuth", "List"];
const EDITORS: [&str; 2] = ["String", "Sql"];
const AUTH_TYPES: [&str; 3] = ["No", "Basic", "Scenario"];
/// The parts a template must have. `<Connection>` (CX-Engine's sets MaxConcurrentRequests) is
/// not among them: a template without it is a warning, not a refusal.
const PARTS: [&str; 4] = ["Number", "Parameters", "Authentication", "Scenarios"];

// A Problem: one thing wrong with a template, at a line (1-based; 0 for the file as a whole).
fn at(line: u32, message: impl Into<String>) -> Problem {
    Problem { line, message: message.into() }
}

/// A file name 3CX's upload accepts: letters, digits, `.`, `_` and `-`, ending in `.xml`.
/// The name is echoed with its control characters escaped: a file name may hold any byte, and an
/// escape sequence in it must not reach the terminal.
pub fn check_file_name(name: &str) -> Result<(), crate::report::Refusal> {
    let shown = escape_controls(name);
    if !name.to_ascii_lowercase().ends_with(".xml") {
        return Err(format!("\"{shown}\" does not end in .xml; name it {RECOMMENDED_NAME}").into());
    }
    if let Some(c) = name.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))) {
        let what = if c == ' ' { "a space".to_string() } else { format!("\"{}\"", c.escape_default()) };
        return Err(format!("\"{shown}\" contains {what}; 3CX refuses such names: name it {RECOMMENDED_NAME}").into());
    }
    Ok(())
}

/// The template's own name (`<Crm Name=…>`), which 3CX shows once it is selected.
pub fn template_name(text: &str) -> Option<String> {
    let doc = roxmltree::Document::parse(text).ok()?;
    let root = doc.root_element();
    let name = root.attribute("Name").filter(|_| root.tag_name().name() == "Crm")?.trim();
    (!name.is_empty()).then(|| crate::text::one_line(name, 80))
}

/// Control characters as escapes (`\u{1b}`), so that text taken from a file (a name, an attribute,
/// the parser's own message quoting the file) can be printed safely.
fn escape_controls(s: &str) -> String {
    s.chars().map(|c| if c.is_control() { c.escape_default().to_string() } else { c.to_string() }).collect()
}

/// What is worth saying of a well-formed template without refusing it: a missing `<Connection>`.
pub fn check_warnings(text: &str) -> Vec<Problem> {
    let Ok(doc) = roxmltree::Document::parse(text) else { return vec![] };
    let root = doc.root_element();
    if root.tag_name().name() != "Crm" || root.children().any(|c| c.is_element() && c.tag_name().name() == "Connection")
    {
        return vec![];
    }
    let line = doc.text_pos_at(root.range().start).row;
    vec![at(
        line,
        "<Connection> is missing: CX-Engine's template has one (it sets MaxConcurrentRequests); what 3CX does without it is not documented, so this is a warning, not a refusal",
    )]
}

/// Every structural problem of a template, in document order; the messages quote the file with
/// its control characters escaped.
pub fn check_xml(text: &str) -> Vec<Problem> {
    let mut out = problems(text);
    for p in &mut out {
        p.message = escape_controls(&p.message);
    }
    out
}

fn problems(text: &str) -> Vec<Problem> {
    let doc = match roxmltree::Document::parse(text) {
        Ok(d) => d,
        Err(e) => return vec![at(e.pos().row, format!("not well-formed XML: {e}"))],
    };
    let line = |n: roxmltree::Node| doc.text_pos_at(n.range().start).row;
    let root = doc.root_element();
    let mut out = Vec::new();
    if root.tag_name().name() != "Crm" {
        out.push(at(
            line(root),
            format!("the root element is <{}>, not <Crm>: this is not a 3CX CRM template", root.tag_name().name()),
        ));
        return out;
    }
    match root.attribute("Name") {
        Some(n) if !n.trim().is_empty() => {}
        _ => out.push(at(line(root), "<Crm> has no Name (the name 3CX shows for the template)")),
    }
    match root.attribute("Version") {
        Some(v) if v.trim().parse::<u32>().is_ok() => {}
        Some(v) => out.push(at(line(root), format!("<Crm Version=\"{v}\"> is not a whole number"))),
        None => out.push(at(line(root), "<Crm> has no Version (a whole number)")),
    }
    if root.attribute("Country").is_none() {
        out.push(at(line(root), "<Crm> has no Country (3CX requires it, even empty)"));
    }
    let child = |name: &str| root.children().find(|c| c.is_element() && c.tag_name().name() == name);
    for part in PARTS {
        if child(part).is_none() {
            out.push(at(line(root), format!("<{part}> is missing")));
        }
    }
    if let Some(n) = child("Number")
        && let Some(p) = n.attribute("Prefix")
        && !PREFIXES.contains(&p)
    {
        out.push(at(line(n), format!("<Number Prefix=\"{p}\"> is not one of {}", PREFIXES.join(", "))));
    }
    if let Some(params) = child("Parameters") {
        let mut seen: Vec<&str> = Vec::new();
        for p in params.children().filter(|c| c.is_element() && c.tag_name().name() == "Parameter") {
            let name = p.attribute("Name").unwrap_or("");
            if name.is_empty() {
                out.push(at(line(p), "a <Parameter> has no Name"));
            } else if seen.contains(&name) {
                out.push(at(line(p), format!("parameter \"{name}\" is defined twice")));
            } else {
                seen.push(name);
            }
            if let Some(t) = p.attribute("Type")
                && !PARAMETER_TYPES.contains(&t)
            {
                out.push(at(
                    line(p),
                    format!("parameter \"{name}\": Type \"{t}\" is not one of {}", PARAMETER_TYPES.join(", ")),
                ));
            }
            if let Some(ed) = p.attribute("Editor")
                && !EDITORS.contains(&ed)
            {
                out.push(at(
                    line(p),
                    format!("parameter \"{name}\": Editor \"{ed}\" is not one of {}", EDITORS.join(", ")),
                ));
            }
        }
    }
    if let Some(auth) = child("Authentication") {
        match auth.attribute("Type") {
            Some(t) if !AUTH_TYPES.contains(&t) => {
                out.push(at(
                    line(auth),
                    format!("<Authentication Type=\"{t}\"> is not one of {}", AUTH_TYPES.join(", ")),
                ));
            }
            Some("Scenario") => {
                let wanted = auth
                    .children()
                    .find(|c| c.is_element() && c.tag_name().name() == "Value")
                    .and_then(|v| v.text())
                    .map(str::trim)
                    .unwrap_or("");
                let ids: Vec<&str> = child("Scenarios")
                    .map(|s| {
                        s.children()
                            .filter(|c| c.is_element() && c.tag_name().name() == "Scenario")
                            .map(|c| c.attribute("Id").unwrap_or(""))
                            .collect()
                    })
                    .unwrap_or_default();
                if wanted.is_empty() {
                    out.push(at(line(auth), "<Authentication Type=\"Scenario\"> has no <Value> naming its scenario"));
                } else if !ids.contains(&wanted) {
                    out.push(at(
                        line(auth),
                        format!("the authentication scenario \"{wanted}\" is not among the <Scenarios>"),
                    ));
                }
            }
            _ => {}
        }
    }
    out.sort_by_key(|p| p.line);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"<?xml version="1.0"?>
<Crm Country="" Name="CX-Engine" Version="3" SupportsEmojis="false">
  <Number Prefix="AsIs" MaxLength="[MaxLength]" />
  <Connection MaxConcurrentRequests="2" />
  <Parameters>
    <Parameter Name="ClientId" Type="String" Editor="String" Title="Client ID:" />
    <Parameter Name="ClientSecret" Type="Password" Title="Client Secret:" />
    <Parameter Name="AccountId" Type="String" Title="Account ID:" />
    <Parameter Name="Authorize" Type="OAuth" Title="Authorize" />
    <Parameter Name="ReportCallEnabled" Type="Boolean" Title="Enable call logging" />
  </Parameters>
  <Authentication Type="Scenario">
    <Value>Token</Value>
  </Authentication>
  <Scenarios>
    <Scenario Id="" Type="REST" />
    <Scenario Id="Token" Type="REST" />
    <Scenario Id="ReportCall" Type="REST" />
  </Scenarios>
</Crm>
"#;

    #[test]
    fn a_good_template_has_no_problem() {
        assert_eq!(check_xml(GOOD), vec![]);
        assert_eq!(template_name(GOOD).as_deref(), Some("CX-Engine"));
        assert_eq!(template_name("<html Name=\"x\"/>"), None);
        assert!(check_file_name("CXEngine.xml").is_ok());
        assert!(check_file_name("cx-engine_v2.XML").is_ok());
    }

    /// A template without `<Connection>` is taken, with a warning.
    #[test]
    fn a_missing_connection_is_a_warning_not_a_refusal() {
        let no_connection = GOOD.replace("  <Connection MaxConcurrentRequests=\"2\" />\n", "");
        assert_eq!(check_xml(&no_connection), vec![]);
        let w = check_warnings(&no_connection);
        assert_eq!(w.len(), 1);
        assert!(w[0].message.starts_with("<Connection> is missing") && w[0].line == 2, "{w:?}");
        assert_eq!(check_warnings(GOOD), vec![]);
        assert_eq!(check_warnings("<html/>"), vec![], "not a template: its problems say so");
    }

    #[test]
    fn names_3cx_refuses() {
        assert!(check_file_name("CXEngine (1).xml").expect_err("space").contains("a space"));
        assert!(check_file_name("CXEngine.xml.txt").is_err());
        assert!(check_file_name("tëmplate.xml").is_err());
        let e = check_file_name("\u{1b}[2J.xml").expect_err("escape");
        assert!(e.starts_with("\"\\u{1b}[2J.xml\" contains \"\\u{1b}\"") && !e.contains('\u{1b}'), "{e}");
    }

    #[test]
    fn broken_templates_say_what_and_where() {
        let p = check_xml("<Crm Name=\"x\" Version=\"1\" Country=\"\">\n<Number>\n</Crm>");
        assert_eq!(p.len(), 1);
        assert!(p[0].message.starts_with("not well-formed XML"), "{p:?}");
        assert_eq!(
            check_xml("<html><body/></html>")[0].message,
            "the root element is <html>, not <Crm>: this is not a 3CX CRM template"
        );
        let bad = GOOD
            .replace("Version=\"3\"", "Version=\"three\"")
            .replace("Prefix=\"AsIs\"", "Prefix=\"Sometimes\"")
            .replace("Name=\"AccountId\" Type=\"String\"", "Name=\"AccountId\" Type=\"Text\"")
            .replace("<Value>Token</Value>", "<Value>Missing</Value>")
            .replace("  <Scenarios>", "  <Scenarioz>")
            .replace("  </Scenarios>", "  </Scenarioz>");
        let p = check_xml(&bad);
        let text: Vec<String> = p.iter().map(|x| format!("{}: {}", x.line, x.message)).collect();
        assert_eq!(
            text,
            vec![
                "2: <Crm Version=\"three\"> is not a whole number",
                "2: <Scenarios> is missing",
                "3: <Number Prefix=\"Sometimes\"> is not one of AsIs, Off, Plus, Zeros",
                "8: parameter \"AccountId\": Type \"Text\" is not one of String, Integer, Double, Boolean, DateTime, Password, OAuth, List",
                "12: the authentication scenario \"Missing\" is not among the <Scenarios>",
            ]
        );
        let p = check_xml("<Crm Version=\"&#10;x\"/>");
        assert!(p.iter().any(|p| p.message == "<Crm Version=\"\\nx\"> is not a whole number"), "one line: {p:?}");
        let dup = GOOD.replace("Name=\"AccountId\"", "Name=\"ClientId\"");
        assert!(check_xml(&dup).iter().any(|p| p.message == "parameter \"ClientId\" is defined twice"));
    }

    proptest::proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,200}") {
            let _ = check_xml(&s);
            let _ = check_file_name(&s);
        }
    }
}
