//! What the binary itself asks of the system it runs on.

/// No C maths library to load: the one function anything calls (`pow`, tokio's scheduler) is
/// pbxlink's own (src/main.rs), so a start maps one shared library fewer.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[test]
fn the_binary_needs_no_maths_library() {
    let out = std::process::Command::new("readelf")
        .args(["--dynamic", env!("CARGO_BIN_EXE_pbxlink")])
        .output()
        .expect("readelf (binutils, beside the C compiler the build needs)");
    let dynamic = String::from_utf8_lossy(&out.stdout);
    assert!(dynamic.contains("(NEEDED)") && dynamic.contains("libc.so"), "not a dynamic section: {dynamic}");
    assert!(!dynamic.contains("libm.so"), "libm is needed again; which maths function is called now?\n{dynamic}");
}
