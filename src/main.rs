//! pbxlink's entry point: everything is in the library, so tests reach all of it.

fn main() -> std::process::ExitCode {
    pbxlink::commands::main()
}

/// `pow`, the one function of the C maths library (libm) anything in pbxlink calls: tokio's
/// multi-threaded scheduler weighs its poll times with it. Defined here, with the same algorithm
/// (the `libm` crate, a port of musl's), the glibc build needs no `libm.so`: one library fewer to
/// find, map and relocate before the first frame, and about 300 KB less memory. Nothing unsafe is
/// done; only the name is the C one.
#[allow(unsafe_code)]
#[unsafe(no_mangle)]
pub extern "C" fn pow(x: f64, y: f64) -> f64 {
    libm::pow(x, y)
}
