//! `pbxlink cx-engine check-template PATH`: the CRM template checks on their own, before the file is
//! uploaded to 3CX. Reads the file, never changes it; with `--write-copy`, a refused file name gets
//! a correctly named copy beside the original.

use anyhow::{Context, Result};
use serde::Serialize;
use std::io::Read;
use std::path::Path;

use super::exit;
use crate::providers::crm_template::{self, Problem, RECOMMENDED_NAME};

/// Larger files are not templates (a real one is a few tens of KiB).
const MAX_TEMPLATE: u64 = 1024 * 1024;

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
}

pub fn check(path: &Path, json: bool, write_copy: bool) -> Result<u8> {
    let mut text = String::new();
    let file = std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    file.take(MAX_TEMPLATE + 1)
        .read_to_string(&mut text)
        .with_context(|| format!("{} is not UTF-8 text", path.display()))?;
    if text.len() as u64 > MAX_TEMPLATE {
        anyhow::bail!("{} is larger than 1 MiB: not a CRM template", path.display());
    }
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let name_problem = crm_template::check_file_name(&name).err();
    let problems = crm_template::check_xml(&text);
    let mut copy = None;
    if name_problem.is_some() && write_copy {
        let target = path.with_file_name(RECOMMENDED_NAME);
        if target.exists() {
            anyhow::bail!("{} already exists: rename or remove it, then run again", target.display());
        }
        std::fs::write(&target, &text).with_context(|| format!("cannot write {}", target.display()))?;
        copy = Some(target.display().to_string());
    }
    let ok = name_problem.is_none() && problems.is_empty();
    if json {
        let r = Report { schema: 1, path: path.display().to_string(), ok, name_problem, copy, problems: &problems };
        println!("{}", serde_json::to_string_pretty(&r)?);
    } else {
        if let Some(n) = &name_problem {
            println!("{}: file name: {n}", path.display());
        }
        for p in &problems {
            println!("{}:{}: {}", path.display(), p.line, p.message);
        }
        if let Some(c) = &copy {
            println!("wrote a correctly named copy: {c} (upload that one; the original is unchanged)");
        } else if name_problem.is_some() {
            println!("hint: --write-copy writes a correctly named copy ({RECOMMENDED_NAME}) beside it");
        }
        if ok {
            println!("{}: a valid 3CX CRM template", path.display());
        }
    }
    Ok(if ok { exit::OK } else { exit::USAGE })
}
