//! 8x8's product APIs at their regional addresses: where each chosen product's cheapest read goes
//! for the profile's region (only where 8x8 documents the address), and what its answer says. A
//! probe only ever confirms; nothing here fails a link.

use crate::guide::Guide;
use crate::validate::Answer;

/// Where a product's probe goes for a region, or why it is not made.
#[derive(Debug, PartialEq, Eq)]
pub enum ProbePlan {
    Path(String),
    NotChecked(String),
}

/// The analytics APIs' documented prefixes: none for the US, `/eu`, `/au`, `/ca`. A `uk` or `ap`
/// tenant's prefix is written nowhere, so it has none here.
fn analytics_prefix(region: &str) -> Option<&'static str> {
    match region {
        "us" | "us-west" | "us-east" => Some(""),
        "eu" => Some("/eu"),
        "au" => Some("/au"),
        "ca" => Some("/ca"),
        _ => None,
    }
}

/// Cloud Storage's documented regions are used as they are in the path.
fn storage_region(region: &str) -> Option<&str> {
    ["us-west", "us-east", "uk", "ap", "ca"].contains(&region).then_some(region)
}

/// The probe of product `id` for the profile's `region`.
pub fn probe_plan(guide: &Guide, id: &str, region: &str) -> ProbePlan {
    let Some(p) = guide.products.iter().find(|p| p.id == id) else {
        return ProbePlan::NotChecked("not a product pbxlink knows".into());
    };
    let Some(probe) = &p.probe else { return ProbePlan::NotChecked(p.no_probe.clone()) };
    let undocumented = |api: &str| format!("8x8 documents no {api} address for region {region}");
    match p.family.as_deref() {
        Some("analytics") => match analytics_prefix(region) {
            Some(prefix) => ProbePlan::Path(probe.replace("{prefix}", prefix)),
            None => ProbePlan::NotChecked(undocumented("analytics")),
        },
        Some("storage") => match storage_region(region) {
            Some(r) => ProbePlan::Path(probe.replace("{region}", r)),
            None => ProbePlan::NotChecked(undocumented("Cloud Storage")),
        },
        _ => ProbePlan::NotChecked("no documented address".into()),
    }
}

/// What one product probe says. Nothing here fails a link: a path pbxlink built from the profile's
/// region may be the wrong region's, so only an answer proves anything.
#[derive(Debug, PartialEq, Eq)]
pub enum Probe {
    Answers,
    /// Not checked, and why.
    Unclear(String),
}

/// `granted` is whether the token's product list grants the product (`None`: the list did not say).
pub fn interpret_probe(a: &Answer, granted: Option<bool>) -> Probe {
    match (a.status, granted) {
        (200..=299, _) => Probe::Answers,
        (s @ (401 | 403), Some(true)) => Probe::Unclear(format!(
            "HTTP {s}, although the token grants it: the profile's region may not be this tenant's"
        )),
        (s @ (401 | 403), _) => {
            Probe::Unclear(format!("HTTP {s}: the product may not be attached, or the region may not be this tenant's"))
        }
        (s, _) => Probe::Unclear(format!("HTTP {s}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::ProviderId;

    fn ans(status: u16, body: &str) -> Answer {
        Answer { status, body: body.as_bytes().to_vec(), ..Default::default() }
    }

    #[test]
    fn regional_addresses_where_documented() {
        let g = ProviderId::EightByEight.guide();
        let path = |id, r| probe_plan(g, id, r);
        assert_eq!(path("cloud-storage", "uk"), ProbePlan::Path("/storage/uk/v3/buckets".into()));
        assert_eq!(
            path("cc-realtime-analytics", "us-west"),
            ProbePlan::Path("/analytics/cc/v5/realtime-metrics/queues?size=1".into())
        );
        assert_eq!(
            path("cc-historical-analytics", "eu"),
            ProbePlan::Path("/eu/analytics/cc/v8/historical-metrics/report-types".into())
        );
        assert_eq!(
            path("cc-realtime-analytics", "ca"),
            ProbePlan::Path("/ca/analytics/cc/v5/realtime-metrics/queues?size=1".into())
        );
        // A uk tenant's analytics prefix is written nowhere: not checked, never guessed.
        assert!(matches!(path("cc-realtime-analytics", "uk"), ProbePlan::NotChecked(w) if w.contains("region uk")));
        assert!(matches!(path("cloud-storage", "eu"), ProbePlan::NotChecked(_)));
        // QM's reads require a pbx header pbxlink cannot know: no probe, rather than a wrong one.
        assert!(matches!(path("quality-management", "uk"), ProbePlan::NotChecked(w) if w.contains("pbx header")));
        assert!(matches!(path("cc-chat", "uk"), ProbePlan::NotChecked(w) if w.contains("tenant id")));
    }

    #[test]
    fn probes_never_fail_a_link() {
        assert_eq!(interpret_probe(&ans(200, "[]"), None), Probe::Answers);
        assert!(matches!(interpret_probe(&ans(401, ""), Some(true)), Probe::Unclear(w) if w.contains("region")));
        assert!(matches!(interpret_probe(&ans(403, ""), None), Probe::Unclear(w) if w.contains("may not be attached")));
        assert_eq!(interpret_probe(&ans(404, ""), Some(true)), Probe::Unclear("HTTP 404".into()));
    }
}
