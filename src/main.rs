//! pbxlink's entry point: everything is in the library, so tests reach all of it.

fn main() -> std::process::ExitCode {
    pbxlink::commands::main()
}
