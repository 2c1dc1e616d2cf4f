//! `validate --prometheus` and `--prometheus-file`, read back with a real parser of Prometheus's
//! text format (the prometheus-parse crate): every profile's up, failure kind, duration, expiry
//! timestamps, trunks and findings; the file written atomically, readable by the collector.

use super::*;
use crate::common::sandbox::Out;
use prometheus_parse::{Scrape, Value};
use std::os::unix::fs::MetadataExt;

fn parse(text: &str) -> Scrape {
    Scrape::parse(text.lines().map(|l| Ok(l.to_string()))).expect("a valid exposition")
}

/// The gauge `metric` of `profile` (with `label`=`value` when given).
fn gauge(s: &Scrape, metric: &str, profile: &str, label: Option<(&str, &str)>) -> Option<f64> {
    s.samples
        .iter()
        .filter(|x| x.metric == metric && x.labels.get("profile") == Some(profile))
        .find(|x| label.is_none_or(|(k, v)| x.labels.get(k) == Some(v)))
        .map(|x| match x.value {
            Value::Gauge(v) => v,
            ref other => panic!("{metric} is not a gauge: {other:?}"),
        })
}

#[test]
fn every_figure_reaches_prometheus_and_the_textfile() {
    let e = Env::with(vec![
        ThreeCxAccount::new("900", GOOD, Behaviour::Good),
        ThreeCxAccount::new("905", GOOD, Behaviour::LicenceEnding),
        ThreeCxAccount::new("906", GOOD, Behaviour::TrunkDown),
    ]);
    let d = e.sim.domain();
    let broken = "[profiles.broken]\nprovider = \"3cx\"\ndomain = \"x.example\"\n";
    let profiles = [
        e.profile("healthy", &d, "900", GOOD, true),
        e.profile("ending", &d, "905", GOOD, true),
        e.profile("trunk", &d, "906", GOOD, true),
        e.profile("wrong", &d, "900", WRONG, true),
        broken.to_string(),
    ];
    e.write_config(&profiles.concat());
    let o = e.run(&["validate", "--all", "--prometheus"], None, &[]);
    assert_eq!(o.code, 3, "the exit codes stay validate's: {}", o.stderr);
    let s = parse(&o.stdout);
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs() as f64;

    for (p, up) in [("healthy", 1.0), ("ending", 1.0), ("trunk", 1.0), ("wrong", 0.0), ("broken", 0.0)] {
        assert_eq!(gauge(&s, "pbxlink_up", p, None), Some(up), "{p}\n{}", o.stdout);
    }
    assert_eq!(gauge(&s, "pbxlink_failure", "wrong", Some(("kind", "unauthorized"))), Some(1.0));
    assert_eq!(gauge(&s, "pbxlink_failure", "broken", Some(("kind", "invalid_profile"))), Some(1.0));
    assert_eq!(gauge(&s, "pbxlink_failure", "healthy", None), None, "a working link has no failure sample");
    assert!(gauge(&s, "pbxlink_validation_duration_seconds", "healthy", None).is_some_and(|v| v > 0.0 && v < 10.0));
    let licence = gauge(&s, "pbxlink_licence_expiry_timestamp_seconds", "ending", None).expect("licence");
    assert!((licence - now - 12.0 * 86_400.0).abs() < 86_400.0, "12 days from now: {licence}");
    let maintenance = gauge(&s, "pbxlink_maintenance_expiry_timestamp_seconds", "ending", None).expect("maintenance");
    assert!(maintenance < now, "ended: {maintenance}");
    let cert = gauge(&s, "pbxlink_certificate_expiry_timestamp_seconds", "healthy", None).expect("certificate");
    assert!((cert - now - 89.0 * 86_400.0).abs() < 2.0 * 86_400.0, "{cert}");
    assert_eq!(gauge(&s, "pbxlink_trunks_registered", "trunk", None), Some(1.0));
    assert_eq!(gauge(&s, "pbxlink_trunks", "trunk", None), Some(2.0));
    assert_eq!(gauge(&s, "pbxlink_extensions_registered", "healthy", None), Some(12.0));
    assert_eq!(gauge(&s, "pbxlink_extensions", "healthy", None), Some(40.0));
    // 3CX documents no unit for its disk figures: nothing is derived from them.
    assert!(!o.stdout.contains("disk"), "{}", o.stdout);
    let backup = gauge(&s, "pbxlink_last_backup_timestamp_seconds", "healthy", None).expect("backup");
    assert!((now - backup - 86_400.0).abs() < 86_400.0, "a day ago: {backup}");
    assert!(gauge(&s, "pbxlink_last_update_timestamp_seconds", "healthy", None).is_some_and(|v| v < now));
    assert_eq!(gauge(&s, "pbxlink_health_findings", "trunk", Some(("level", "warning"))), Some(1.0));
    assert_eq!(gauge(&s, "pbxlink_health_findings", "ending", Some(("level", "critical"))), Some(1.0));
    assert_eq!(gauge(&s, "pbxlink_health_findings", "healthy", Some(("level", "critical"))), Some(0.0));
    assert!(s.docs.contains_key("pbxlink_up"), "HELP lines: {:?}", s.docs);
    assert_eq!(
        s.samples.iter().find(|x| x.metric == "pbxlink_run_failed").map(|x| x.value.clone()),
        Some(Value::Gauge(0.0))
    );
    assert!(!o.stdout.contains("localhost") && !o.stdout.contains("SIMU-LATED"), "no host, no licence key");

    // The textfile: written whole and readable by node_exporter, beside the usual lines.
    let dir = e.dir.path().join("textfile");
    std::fs::create_dir(&dir).expect("dir");
    let before = std::fs::metadata(&dir).expect("meta").mode();
    let file = dir.join("pbxlink.prom");
    let path = file.to_string_lossy().to_string();
    // Under umask 077 too: node_exporter runs as another user.
    let mut cmd = std::process::Command::new("sh");
    cmd.args(["-c", "umask 077 && exec \"$0\" \"$@\"", env!("CARGO_BIN_EXE_pbxlink")]);
    cmd.args(["validate", "healthy", "trunk", "--prometheus-file", &path]);
    cmd.env("PBXLINK_CONFIG", e.config()).env("PBXLINK_STATE_DIR", e.state());
    let out = cmd.output().expect("run");
    let o = Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into(),
        stderr: String::from_utf8_lossy(&out.stderr).into(),
    };
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stdout.starts_with("ok "), "the lines as usual: {}", o.stdout);
    let text = std::fs::read_to_string(&file).expect("written");
    let s = parse(&text);
    assert_eq!(gauge(&s, "pbxlink_up", "trunk", None), Some(1.0));
    assert_eq!(gauge(&s, "pbxlink_up", "ending", None), None, "only the profiles of this run");
    assert_eq!(std::fs::metadata(&file).expect("meta").mode() & 0o777, 0o644);
    assert_eq!(std::fs::metadata(&dir).expect("meta").mode(), before, "the collector's directory is left alone");
    assert_eq!(std::fs::read_dir(&dir).expect("list").count(), 1, "no temp file left");
    for secret in SECRETS {
        assert!(!text.contains(secret));
    }
    // A file that cannot be written: the verdicts stand, and the run says so (exit 1).
    let o = e.run(&["validate", "healthy", "--prometheus-file", "/nonexistent-dir/pbxlink.prom"], None, &[]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(o.stderr.contains("cannot write /nonexistent-dir/pbxlink.prom"), "{}", o.stderr);

    // A run that validates nothing still replaces the file: no old "up" lingers.
    std::fs::write(e.config(), "[profiles.x\n").expect("break the file");
    let o = e.run(&["validate", "--all", "--prometheus-file", &path], None, &[]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    let s = parse(&std::fs::read_to_string(&file).expect("written"));
    assert_eq!(
        s.samples.iter().find(|x| x.metric == "pbxlink_run_failed").map(|x| x.value.clone()),
        Some(Value::Gauge(1.0))
    );
    assert!(!s.samples.iter().any(|x| x.metric == "pbxlink_up"), "{:?}", s.samples);
}
