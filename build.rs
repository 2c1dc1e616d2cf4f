//! Records the git commit the binary was built from, for `pbxlink --version` (builds outside a git
//! checkout, a source tarball, say "unknown"); and links release builds on Linux without what a
//! binary that never unwinds carries for nothing, with the code users run most laid out first
//! (see `lean_release_link` and `function_order`).

use std::path::Path;

fn main() {
    let commit = std::process::Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=PBXLINK_COMMIT={commit}");
    println!("cargo:rerun-if-changed=.git/HEAD");
    println!("cargo:rerun-if-changed=.git/refs/heads");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=CARGO_ENCODED_RUSTFLAGS");
    lean_release_link();
}

/// The release profile aborts on a panic and strips symbols, so the unwind tables (`.eh_frame`,
/// and the landing-pad tables they point to) have no reader left but a backtrace of bare
/// addresses: 430 KB of the static binary, 530 KB of the glibc one. The linker drops them (a
/// fragment added to its own script, so everything else is laid out as always), keeping only the
/// C runtime's own entry, which its start-up code refers to. A backtrace then ends at its first
/// frame; a panic still prints its message and place, restores the terminal and exits 101
/// (`commands::crash_exit_code`). GNU ld and lld take the fragment; mold and gold do not, so a
/// build that picks one of them (`-fuse-ld=` in its RUSTFLAGS) links as before.
///
/// The static build (musl) also packs its relocations (`DT_RELR`, which musl's start-up code
/// applies since 1.2.4): 165 KB of tables become 2 KB, and the binary stays position-independent.
/// The glibc build does too where the build machine's glibc loads it (`glibc_loads_relr`): 200 KB
/// of tables, all read at every start.
///
/// Only for the binaries and examples (the reference program of `scripts/bench` gets the same),
/// never for tests, which unwind.
fn lean_release_link() {
    let var = |k: &str| std::env::var(k).unwrap_or_default();
    let other_linker = ["fuse-ld=mold", "fuse-ld=gold"].iter().any(|l| var("CARGO_ENCODED_RUSTFLAGS").contains(l));
    if var("PROFILE") != "release" || var("CARGO_CFG_TARGET_OS") != "linux" || other_linker {
        return;
    }
    let script = Path::new(&var("OUT_DIR")).join("no-unwind-tables.ld");
    let text = "SECTIONS {\n  /DISCARD/ : { EXCLUDE_FILE(*crtbegin.o *crtbeginS.o *crtend.o *crtendS.o) *(.eh_frame) \
                *(.gcc_except_table .gcc_except_table.*) }\n} INSERT AFTER .rodata;\n";
    if std::fs::write(&script, text).is_err() {
        return; // an ordinary link, only bigger
    }
    let mut args = vec![format!("-Wl,--script={}", script.display())];
    if let Some(order) = function_order(&var("OUT_DIR")) {
        args.push(format!("-Wl,--script={}", order.display()));
    }
    if var("CARGO_CFG_TARGET_ENV") == "musl" || glibc_loads_relr() {
        args.push("-Wl,-z,pack-relative-relocs".into());
    }
    for a in args {
        println!("cargo:rustc-link-arg-bins={a}");
        println!("cargo:rustc-link-arg-examples={a}");
    }
}

/// Whether the glibc this build links against loads packed relocations (`DT_RELR`, glibc 2.36
/// and later), asked of the build machine's own `getconf` when it builds for itself: a glibc
/// binary is built where it runs, and the linker records the need (`GLIBC_ABI_DT_RELR`), so an
/// older glibc refuses such a binary by name instead of crashing. Cross builds, and machines
/// whose glibc is older or does not say, keep the plain relocations. Copying a binary to an older
/// system is what the static build is for.
fn glibc_loads_relr() -> bool {
    let var = |k: &str| std::env::var(k).unwrap_or_default();
    if var("CARGO_CFG_TARGET_ENV") != "gnu" || var("HOST") != var("TARGET") {
        return false;
    }
    let Ok(out) = std::process::Command::new("getconf").arg("GNU_LIBC_VERSION").output() else {
        return false;
    };
    // "glibc 2.36"
    let text = String::from_utf8_lossy(&out.stdout);
    let mut numbers = text.trim().trim_start_matches("glibc ").split('.').map(|n| n.parse::<u32>().unwrap_or(0));
    let (major, minor) = (numbers.next().unwrap_or(0), numbers.next().unwrap_or(0));
    out.status.success() && (major, minor) >= (2, 36)
}

/// The functions a start, a validation, the wizard and `validate --all` run
/// (`assets/link/function-order.txt`, written by `scripts/order` from callgrind, gdb and perf
/// runs), placed first and together: the compiler scatters them across 4.6 MB of code, and each
/// page fault maps 64 KB around it, so before this nearly the whole program was resident after one
/// validation. A section per function (rustc's default on Linux) lets the linker script pick them
/// by name: exact names first, then the same with their hashes as wildcards, so the list outlives
/// the build it came from, and a function it misses goes after, as before. The read-only data
/// those functions read (`assets/link/data-order.txt`: constants, tables, strings; a section per
/// constant too) goes ahead of the rest of `.rodata` in the same way.
fn function_order(out_dir: &str) -> Option<std::path::PathBuf> {
    let mut text = String::from("SECTIONS {\n");
    // The C runtime's start-up code (`_start` and its neighbours) runs first at every start;
    // left where the linker puts it, it is the only code read in the first 64 KB of `.text`.
    let start_up = "*crt1.o(.text) *crtbegin*.o(.text)"; // crt1, Scrt1, rcrt1
    text += &hot_section(".text.hot", start_up, "assets/link/function-order.txt", |line| {
        // The compiler files a function it thinks cold under `.text.unlikely.`.
        format!("*(.text.{line} .text.unlikely.{line})")
    })?;
    text += "} INSERT BEFORE .text;\nSECTIONS {\n";
    text +=
        &hot_section(".rodata.hot", "", "assets/link/data-order.txt", |line| format!("*({line})")).unwrap_or_default();
    text += "} INSERT BEFORE .rodata;\n";
    let script = Path::new(out_dir).join("function-order.ld");
    std::fs::write(&script, text).ok()?;
    Some(script)
}

/// An output section `name` of `first`, then the input sections `list_path` names, in its order: a
/// line with an archive member's pattern (`*lib:member(section)`) as it is, any other through
/// `pattern`.
fn hot_section(name: &str, first: &str, list_path: &str, pattern: impl Fn(&str) -> String) -> Option<String> {
    println!("cargo:rerun-if-changed={list_path}");
    let list = std::fs::read_to_string(list_path).ok()?;
    // Only what a symbol or an archive member's name holds reaches the script.
    let plain = |line: &str| line.chars().all(|c| c.is_ascii_alphanumeric() || "_$.*:-()".contains(c));
    let mut text = format!("  {name} : {{\n    {first}\n");
    for line in list.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#') && plain(l)) {
        let placed = if line.contains('(') { line.to_string() } else { pattern(line) };
        text += &format!("    {placed}\n");
    }
    text += "  }\n";
    Some(text)
}
