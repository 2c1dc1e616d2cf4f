//! Where pbxlink keeps its files: the profiles file (flag, `PBXLINK_CONFIG`, or the platform config
//! dir) and the state dir for last results and the log (`PBXLINK_STATE_DIR`, or the platform's).

use anyhow::{Result, anyhow};
use directories::ProjectDirs;
use std::path::PathBuf;

fn dirs() -> Result<ProjectDirs> {
    ProjectDirs::from("", "", "pbxlink")
        .ok_or_else(|| anyhow!("cannot find a home directory: set HOME, or pass --config and PBXLINK_STATE_DIR"))
}

/// The profiles file: `--config`/`PBXLINK_CONFIG` (resolved by clap), else `~/.config/pbxlink/profiles.toml`.
pub fn config_file(flag: Option<PathBuf>) -> Result<PathBuf> {
    match flag {
        Some(p) => Ok(p),
        None => Ok(dirs()?.config_dir().join("profiles.toml")),
    }
}

/// The state dir: `PBXLINK_STATE_DIR`, else `~/.local/state/pbxlink`.
pub fn state_dir() -> Result<PathBuf> {
    if let Some(p) = std::env::var_os("PBXLINK_STATE_DIR").filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    let d = dirs()?;
    Ok(d.state_dir().map(PathBuf::from).unwrap_or_else(|| d.data_local_dir().to_path_buf()))
}
