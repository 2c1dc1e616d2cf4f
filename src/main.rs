//! pbxlink's entry point: everything is in the library, so tests reach all of it.

#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    pbxlink::commands::main()
}
