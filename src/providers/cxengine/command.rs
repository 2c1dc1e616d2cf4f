//! CX-Engine's own commands (`pbxlink cx-engine ...`), declared here and registered in the
//! registry's `VendorCommand`. `check-template PATH`: the CRM template checks on their own, before
//! the file is uploaded to 3CX. Reads the file, never changes it; with `--write-copy`, a refused
//! file name gets a correctly named copy beside the original.

use anyhow::Result;
use serde::Serialize;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::template as template_file;
use super::template_xml::{Problem, RECOMMENDED_NAME};
use crate::exit;

#[derive(Serialize)]
struct Report<'a> {
    schema: u32,
    path: String,
    ok: bool,
    /// Why 3CX would refuse the file name, if it would.
    name_problem: Option<String>,
    /// A correctly named copy written with --write-copy.
    copy: Option<String>,
    problems: &'a [Problem],
    /// Worth saying, not refused (a missing `<Connection>`).
    warnings: &'a [Problem],
}

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Check a 3CX CRM template (CXEngine.xml) before uploading it: its file name and structure
    CheckTemplate {
        path: PathBuf,
        /// One JSON document instead of text
        #[arg(long)]
        json: bool,
        /// When the file name is refused, write a correctly named copy (CXEngine.xml) beside it;
        /// the original is never touched
        #[arg(long)]
        write_copy: bool,
    },
}

impl Command {
    /// What to print on stdout, and the exit code.
    pub fn run(&self) -> Result<(String, u8)> {
        match self {
            Command::CheckTemplate { path, json, write_copy } => check(path, *json, *write_copy),
        }
    }
}

fn check(path: &Path, json: bool, write_copy: bool) -> Result<(String, u8)> {
    let found = template_file::inspect(&path.to_string_lossy()).map_err(anyhow::Error::msg)?;
    let ok = found.ok();
    let template_file::Inspection { name_problem, problems, warnings, .. } = found;
    let mut copy = None;
    if name_problem.is_some() && write_copy {
        let target = template_file::write_copy(path).map_err(anyhow::Error::msg)?;
        copy = Some(target.display().to_string());
    }
    // Written whole at the end: an error (a closed pipe) is returned, never a panic.
    let mut out = String::new();
    if json {
        let r = Report {
            schema: 1,
            path: path.display().to_string(),
            ok,
            name_problem,
            copy,
            problems: &problems,
            warnings: &warnings,
        };
        let _ = writeln!(out, "{}", serde_json::to_string_pretty(&r)?);
    } else {
        if let Some(n) = &name_problem {
            let _ = writeln!(out, "{}: file name: {n}", path.display());
        }
        for p in &problems {
            let _ = writeln!(out, "{}:{}: {}", path.display(), p.line, p.message);
        }
        for w in &warnings {
            let _ = writeln!(out, "{}:{}: warning: {}", path.display(), w.line, w.message);
        }
        if let Some(c) = &copy {
            let _ = writeln!(out, "wrote a correctly named copy: {c} (upload that one; the original is unchanged)");
        } else if name_problem.is_some() {
            let _ = writeln!(out, "hint: --write-copy writes a correctly named copy ({RECOMMENDED_NAME}) beside it");
        }
        if ok {
            let _ = writeln!(out, "{}: a valid 3CX CRM template", path.display());
        }
    }
    Ok((out, if ok { exit::OK } else { exit::USAGE }))
}
