//! Exit codes, the contract scripts and monitoring read (documented in the README and `--help`),
//! below every front end: the commands, the TUI's and plain mode's endings all map here.

/// Everything worked; every profile validated is ok.
pub const OK: u8 = 0;
/// pbxlink itself failed (I/O, a bug).
pub const ERROR: u8 = 1;
/// Bad flags, an unknown profile, an unreadable or invalid profiles file.
pub const USAGE: u8 = 2;
/// The server answered and said no to the credentials or their rights: unauthorized, forbidden.
pub const REJECTED: u8 = 3;
/// Could not reach the API, or no verdict on the credentials: dns, connect, tls, timeout,
/// not_found (the address answers, but it is not the API: a wrong host, port, base URL or path),
/// rate_limited, server_error, bad_response, token_ended, token_refused, token_busy.
pub const UNREACHABLE: u8 = 4;

/// Every link works, and with `validate --strict` a health finding (warning or critical) was
/// raised: a licence ending, a trunk down. Without `--strict`, findings never change the code.
pub const HEALTH: u8 = 5;

/// The code for one failure: [`REJECTED`] when the server said no, [`USAGE`] when a secret
/// reference could not be read (a configuration problem), else [`UNREACHABLE`].
pub fn for_failure(kind: crate::report::FailureKind) -> u8 {
    match kind {
        k if k.is_rejection() => REJECTED,
        crate::report::FailureKind::SecretUnavailable => USAGE,
        _ => UNREACHABLE,
    }
}
