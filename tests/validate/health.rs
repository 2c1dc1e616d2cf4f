//! What 3CX's SystemStatus says about the system's health, read over HTTPS from the simulator in
//! the same request as the details (no request of its own): facts, findings by the thresholds,
//! never the licence key, and never a change of the verdict.

use super::*;
use pbxlink::report::{Level, Thresholds};

async fn health_of(behaviour: Behaviour, thresholds: Thresholds) -> (Report, Vec<String>) {
    let sim = start(vec![ThreeCxAccount::new("900", SECRET, behaviour)], vec![], vec![]).await.expect("simulator");
    let (_dir, opts) = trusting(&sim);
    let opts = Options { thresholds, ..opts };
    let (r, _) = run(&profile(&sim.domain(), "900", SECRET), &opts).await;
    (r, sim.requests())
}

fn findings(r: &Report) -> Vec<(&'static str, Level)> {
    r.health.as_ref().expect("health").findings.iter().map(|f| (f.id, f.level)).collect()
}

#[tokio::test]
async fn a_healthy_pbx_has_its_facts_and_no_finding_from_the_same_reads() {
    let (r, requests) = health_of(Behaviour::Good, Thresholds::default()).await;
    assert!(r.ok(), "{r:#?}");
    let h = r.health.as_ref().expect("health");
    assert_eq!(h.findings, vec![]);
    let fact = |id: &str| h.facts.iter().find(|f| f.id == id).expect(id).clone();
    assert_eq!(fact("licence").value, "3CXPSENT, active");
    // Days left, counted from now (the simulator's clock and ours may be a second apart).
    assert!(matches!(fact("licence_expires").number, Some(299..=300)), "{:?}", fact("licence_expires"));
    assert_eq!(fact("trunks").value, "2 of 2");
    assert_eq!(fact("last_backup").number, Some(1));
    assert_eq!(
        fact("disk").value,
        "FreeDiskSpace 41000000000, TotalDiskSpace 80000000000, DiskUsage 49 (as sent; 3CX documents no unit)"
    );
    assert!(!format!("{r:?}").contains("SIMU-LATED"), "the licence key is never kept");
    assert_eq!(requests, vec!["POST /connect/token", "GET /xapi/v1/SystemStatus"]);
}

#[tokio::test]
async fn an_ending_licence_a_trunk_down_and_an_old_backup_are_findings_not_failures() {
    let (r, _) = health_of(Behaviour::LicenceEnding, Thresholds::default()).await;
    assert!(r.ok(), "credentials that work stay ok: {r:#?}");
    assert_eq!(findings(&r), vec![("licence_expires", Level::Warning), ("maintenance_expires", Level::Critical)]);
    let (r, _) = health_of(Behaviour::TrunkDown, Thresholds::default()).await;
    assert!(r.ok());
    assert_eq!(findings(&r), vec![("trunks", Level::Warning)]);
    let (r, _) = health_of(Behaviour::OldBackup, Thresholds::default()).await;
    assert_eq!(findings(&r), vec![("last_backup", Level::Warning), ("backup_scheduled", Level::Warning)]);
    // The run's thresholds: 12 days left is critical under 14, nothing under 10.
    let strict = Thresholds { warn_days: 60, crit_days: 14, ..Thresholds::default() };
    let (r, _) = health_of(Behaviour::LicenceEnding, strict).await;
    assert_eq!(findings(&r)[0], ("licence_expires", Level::Critical));
    let lax = Thresholds { warn_days: 10, crit_days: 2, ..Thresholds::default() };
    let (r, _) = health_of(Behaviour::LicenceEnding, lax).await;
    assert_eq!(
        findings(&r),
        vec![("maintenance_expires", Level::Critical)],
        "ended is critical whatever the thresholds"
    );
}

#[tokio::test]
async fn a_role_that_may_not_read_system_status_has_no_health_and_still_passes() {
    let (r, _) = health_of(Behaviour::LowRole, Thresholds::default()).await;
    assert!(r.ok(), "{r:#?}");
    // Only what the handshake showed: the certificate. Nothing of SystemStatus is guessed.
    let ids: Vec<&str> = r.health.as_ref().expect("the certificate").facts.iter().map(|f| f.id).collect();
    assert_eq!(ids, vec!["certificate", "certificate_issuer", "certificate_expires", "certificate_sha256"]);
}

#[tokio::test]
async fn the_certificate_the_pbx_presented_is_told() {
    let (r, _) = health_of(Behaviour::Good, Thresholds::default()).await;
    let h = r.health.as_ref().expect("health");
    let fact = |id: &str| h.facts.iter().find(|f| f.id == id).expect(id).value.clone();
    assert_eq!(fact("certificate"), "CN=pbxlink simulator");
    assert_eq!(fact("certificate_issuer"), "CN=pbxlink simulator CA (throw-away)");
    assert!(fact("certificate_expires").ends_with("days left)"), "{}", fact("certificate_expires"));
}
