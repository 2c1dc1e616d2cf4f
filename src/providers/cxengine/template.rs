//! The disk side of CRM templates: reading a template file the user named (with `~` expanded and a
//! size bound), checking it with `template_xml`, and writing a correctly named copy beside it.
//! [`FILE`] gives these to the schema's template field, so every front end checks the template
//! the same way without naming CX-Engine; `pbxlink cx-engine check-template` uses them directly.

use std::path::{Path, PathBuf};

use super::template_xml::{self as crm, RECOMMENDED_NAME};
use crate::files::complete::{expand_home, home};
use crate::profile::checked_file::{FileCheck, FileRules};

/// The template field's rules, for the schema.
pub static FILE: FileRules = FileRules {
    check: |typed| inspect(typed).map_err(|e| e.to_string()),
    copy: |from| write_copy(from).map_err(|e| e.to_string()),
    wanted_name: RECOMMENDED_NAME,
};

/// Larger files are not templates (a real one is a few tens of KiB).
pub const MAX_TEMPLATE: u64 = 1024 * 1024;

/// What a template file turned out to be: its name's problem, its structure's, its warnings and
/// its `<Crm Name=…>`.
pub type Inspection = FileCheck;

/// Why a template file could not be read or copied; each says what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("no file named")]
    NoPath,
    #[error("cannot open {}: {reason}", path.display())]
    Open { path: PathBuf, reason: String },
    #[error("{} is a directory: name the .xml file in it", path.display())]
    Directory { path: PathBuf },
    #[error("{} is not UTF-8 text: not a CRM template", path.display())]
    NotUtf8 { path: PathBuf },
    #[error("{} is larger than 1 MiB: not a CRM template", path.display())]
    TooLarge { path: PathBuf },
    #[error("{} already exists and differs: rename or remove it, then try again", target.display())]
    CopyExists { target: PathBuf },
    #[error("cannot write {}: {reason}", target.display())]
    Write { target: PathBuf, reason: String },
}

/// Reads a template file's text: at most [`MAX_TEMPLATE`] bytes of UTF-8.
pub fn read(path: &Path) -> Result<String, TemplateError> {
    let at = || path.to_path_buf();
    if std::fs::metadata(path).is_ok_and(|m| m.is_dir()) {
        return Err(TemplateError::Directory { path: at() });
    }
    let bytes = crate::files::read_regular(path, MAX_TEMPLATE).map_err(|e| match e.kind() {
        std::io::ErrorKind::InvalidData => TemplateError::TooLarge { path: at() },
        _ => TemplateError::Open { path: at(), reason: reason(&e) },
    })?;
    String::from_utf8(bytes).map_err(|_| TemplateError::NotUtf8 { path: at() })
}

/// The error without Rust's "(os error 2)" tail.
fn reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// Checks the file a user typed (`~` allowed): its name and its content.
pub fn inspect(typed: &str) -> Result<Inspection, TemplateError> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Err(TemplateError::NoPath);
    }
    let path = expand_home(typed, home().as_deref());
    let text = read(&path)?;
    let path = std::fs::canonicalize(&path).map_err(|e| TemplateError::Open { reason: reason(&e), path })?;
    let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    Ok(Inspection {
        name_problem: crm::check_file_name(&file_name).err().map(|r| r.to_string()),
        problems: crm::check_xml(&text),
        warnings: crm::check_warnings(&text),
        name: crm::template_name(&text),
        path,
    })
}

/// Writes a copy of `from` named [`RECOMMENDED_NAME`] in the same directory and returns its path.
/// Never touches the original; never overwrites a different file of that name (an identical one
/// is simply reused).
pub fn write_copy(from: &Path) -> Result<PathBuf, TemplateError> {
    let text = read(from)?;
    let target = from.with_file_name(RECOMMENDED_NAME);
    if let Ok(existing) = std::fs::read(&target) {
        if existing == text.as_bytes() {
            return Ok(target);
        }
        return Err(TemplateError::CopyExists { target });
    }
    let failed = |e: std::io::Error| TemplateError::Write { target: target.clone(), reason: reason(&e) };
    let mut f = std::fs::OpenOptions::new().write(true).create_new(true).open(&target).map_err(failed)?;
    std::io::Write::write_all(&mut f, text.as_bytes()).and_then(|()| f.sync_all()).map_err(failed)?;
    Ok(target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_never_touch_the_original() {
        let d = tempfile::tempdir().expect("tempdir");
        let bad = d.path().join("CX Engine (1).xml");
        std::fs::write(&bad, "<Crm/>").expect("file");
        let copy = write_copy(&bad).expect("copy");
        assert_eq!(copy, d.path().join(RECOMMENDED_NAME));
        assert_eq!(std::fs::read_to_string(&bad).expect("original"), "<Crm/>");
        assert_eq!(write_copy(&bad).expect("same copy again"), copy);
        std::fs::write(&bad, "<Crm Name=\"other\"/>").expect("file");
        let differs = write_copy(&bad).expect_err("differs");
        assert_eq!(differs, TemplateError::CopyExists { target: copy.clone() });
        assert!(differs.to_string().contains("already exists and differs"), "{differs}");
    }

    #[test]
    fn inspect_reports_what_it_found() {
        let d = tempfile::tempdir().expect("tempdir");
        let p = d.path().join("x y.xml");
        std::fs::write(&p, "<html/>").expect("file");
        let i = inspect(&p.display().to_string()).expect("readable");
        assert!(i.name_problem.is_some() && !i.problems.is_empty() && !i.ok());
        let missing = inspect(&d.path().join("none.xml").display().to_string()).expect_err("missing");
        assert!(matches!(&missing, TemplateError::Open { reason, .. } if reason == "no such file"), "{missing}");
        assert!(missing.to_string().ends_with("no such file"), "{missing}");
        let dir = inspect(&d.path().display().to_string()).expect_err("dir");
        assert!(matches!(dir, TemplateError::Directory { .. }) && dir.to_string().contains("is a directory"));
    }
}
