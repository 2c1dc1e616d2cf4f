//! Shell completion of profile names (clap_complete's dynamic completion): bash's own script,
//! sourced from `PBXLINK_COMPLETE=bash pbxlink` and run as bash runs it on Tab, offers the saved profiles
//! wherever a command takes one; fish's protocol too.

use super::*;

/// What bash offers after `line` (ending where Tab is pressed), from the real completion script.
fn bash_offers(e: &Env, words: &[&str]) -> Vec<String> {
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_pbxlink")).parent().expect("dir").to_path_buf();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let quoted: Vec<String> = words.iter().map(|w| format!("\"{w}\"")).collect();
    let script = format!(
        "source <(PBXLINK_COMPLETE=bash pbxlink) && COMP_WORDS=({}) && COMP_CWORD={} && COMP_TYPE=9 && _clap_complete_pbxlink pbxlink \"{}\" \"{}\" && printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        quoted.join(" "),
        words.len() - 1,
        words[words.len() - 1],
        words[words.len() - 2],
    );
    let out = std::process::Command::new("bash")
        .args(["-c", &script])
        .env("PATH", path)
        .env("PBXLINK_CONFIG", e.config())
        .output()
        .expect("bash");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).lines().map(str::to_string).collect()
}

#[test]
fn profile_names_complete_wherever_a_command_takes_one() {
    let e = Env::new();
    let d = e.sim.domain();
    e.write_config(
        &[e.profile("office", &d, "900", GOOD, false), e.profile("branch", &d, "901", GOOD, false)].concat(),
    );
    for words in [
        &["pbxlink", "show", ""][..],
        &["pbxlink", "validate", ""],
        &["pbxlink", "history", ""],
        &["pbxlink", "set", ""],
        &["pbxlink", "rename", ""],
        &["pbxlink", "token", ""],
        &["pbxlink", "api", ""],
        &["pbxlink", "remove", ""],
        &["pbxlink", "3cx", "principals", ""],
    ] {
        let offers = bash_offers(&e, words);
        assert!(
            offers.contains(&"office".to_string()) && offers.contains(&"branch".to_string()),
            "{words:?}: {offers:?}"
        );
    }
    let offers = bash_offers(&e, &["pbxlink", "show", "of"]);
    assert_eq!(offers, vec!["office".to_string()], "only those that begin so");

    let mut cmd = e.command(&["--", "pbxlink", "validate", "br"]);
    cmd.env("PBXLINK_COMPLETE", "fish");
    let out = cmd.output().expect("fish protocol");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "branch");
}

/// clap's default variable, `COMPLETE`, may be set in a cron or Nagios environment for something
/// else: it must never turn a check into a completion script that exits 0.
#[test]
fn a_complete_variable_in_the_environment_changes_nothing() {
    let e = Env::new();
    e.write_config(&e.profile("office", &e.sim.domain(), "900", "wrong-key", false));
    let mut cmd = e.command(&["validate", "--all", "--nagios"]);
    cmd.env("COMPLETE", "bash");
    let out = cmd.output().expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.starts_with("PBXLINK CRITICAL"), "{stdout}");
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    let help = e.run(&["completions", "--help"], None, &[]);
    assert!(help.stdout.contains("PBXLINK_COMPLETE=bash pbxlink"), "{}", help.stdout);
}
