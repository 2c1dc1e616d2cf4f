//! pbxlink's entry point: everything is in the library, so tests reach all of it.

fn main() -> std::process::ExitCode {
    one_malloc_arena();
    pbxlink::commands::main()
}

/// One heap for all of pbxlink's threads, where the C library is glibc. glibc gives each thread
/// that allocates its own arena (up to eight per core), each with its own resident pages; the
/// full-screen UI has four threads (its own, the terminal reader, the blocking pool's name lookup
/// and disk writes), which allocate little and seldom at the same time: ~40 KB of its peak memory,
/// for no speed anyone could measure. A user's own `MALLOC_ARENA_MAX` or glibc tunable wins.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
fn one_malloc_arena() {
    let tuned = std::env::var_os("GLIBC_TUNABLES").is_some_and(|t| t.to_string_lossy().contains("arena_max"));
    if tuned || std::env::var_os("MALLOC_ARENA_MAX").is_some() {
        return;
    }
    unsafe extern "C" {
        fn mallopt(param: std::ffi::c_int, value: std::ffi::c_int) -> std::ffi::c_int;
    }
    const M_ARENA_MAX: std::ffi::c_int = -8; // glibc's malloc.h
    // SAFETY: sets one of the allocator's tunables; no thread exists yet.
    unsafe {
        mallopt(M_ARENA_MAX, 1);
    }
}

/// musl has one heap already.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn one_malloc_arena() {}

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
