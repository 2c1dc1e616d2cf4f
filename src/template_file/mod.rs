//! The disk side of CRM templates: reading a template file the user named (with `~` expanded and a
//! size bound), checking it with `crm`, writing a correctly named copy beside
//! it, and completing a typed path on Tab. Used by the guide's effects and by the CLI alike.

use std::path::{Path, PathBuf};

pub mod crm;

use crm::{Problem, RECOMMENDED_NAME};

/// Larger files are not templates (a real one is a few tens of KiB).
pub const MAX_TEMPLATE: u64 = 1024 * 1024;

/// What a template file turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspection {
    /// The file, absolute and with symlinks resolved: what the profile records.
    pub path: PathBuf,
    /// Why 3CX would refuse the file name, if it would.
    pub name_problem: Option<String>,
    /// Structural problems, in line order.
    pub problems: Vec<Problem>,
    /// What is worth saying without refusing the file (a missing `<Connection>`).
    pub warnings: Vec<Problem>,
    /// The template's own name (`<Crm Name=…>`), which 3CX shows once it is selected.
    pub template_name: Option<String>,
}

impl Inspection {
    pub fn ok(&self) -> bool {
        self.name_problem.is_none() && self.problems.is_empty()
    }
}

/// `~` and `~/…` become the home directory; anything else is left as typed.
pub fn expand_home(typed: &str, home: Option<&Path>) -> PathBuf {
    match (typed.strip_prefix('~'), home) {
        (Some(""), Some(h)) => h.to_path_buf(),
        (Some(rest), Some(h)) if rest.starts_with('/') => h.join(rest.trim_start_matches('/')),
        _ => PathBuf::from(typed),
    }
}

fn home() -> Option<PathBuf> {
    std::env::var_os("HOME").filter(|h| !h.is_empty()).map(PathBuf::from)
}

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
        template_name: crm::template_name(&text),
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

/// What Tab did to a typed path: the new text, and the names that still match when there is
/// more than one (directories end in `/`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Completion {
    pub text: String,
    pub candidates: Vec<String>,
}

/// Most names listed under the field; more are counted, not shown.
const MAX_CANDIDATES: usize = 40;

/// Completes the last component of `typed` like a shell: one match is filled in (a directory
/// gets its `/`), several are filled to their common prefix and listed. Dot files are offered
/// only when the typed component starts with a dot. The text keeps the user's `~`.
pub fn complete(typed: &str) -> Completion {
    complete_in(typed, home().as_deref())
}

pub fn complete_in(typed: &str, home: Option<&Path>) -> Completion {
    let (dir_text, prefix) = match typed.rfind('/') {
        Some(i) => (&typed[..=i], &typed[i + 1..]),
        None if typed == "~" => return Completion { text: "~/".into(), candidates: vec![] },
        None => ("", typed),
    };
    let dir = if dir_text.is_empty() { PathBuf::from(".") } else { expand_home(dir_text, home) };
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Completion { text: typed.to_string(), candidates: vec![] };
    };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_str()?.to_string();
            if !name.starts_with(prefix) || (name.starts_with('.') && !prefix.starts_with('.')) {
                return None;
            }
            // `metadata` follows symlinks, so a link to a directory completes as one.
            let is_dir = std::fs::metadata(e.path()).is_ok_and(|m| m.is_dir());
            Some(if is_dir { format!("{name}/") } else { name })
        })
        .collect();
    names.sort();
    match names.as_slice() {
        [] => Completion { text: typed.to_string(), candidates: vec![] },
        [one] => Completion { text: format!("{dir_text}{one}"), candidates: vec![] },
        many => {
            let common = many.iter().skip(1).fold(many[0].clone(), |acc, n| common_prefix(&acc, n));
            let mut shown: Vec<String> = many.iter().take(MAX_CANDIDATES).cloned().collect();
            if many.len() > MAX_CANDIDATES {
                shown.push(format!("… {} more", many.len() - MAX_CANDIDATES));
            }
            Completion { text: format!("{dir_text}{common}"), candidates: shown }
        }
    }
}

fn common_prefix(a: &str, b: &str) -> String {
    a.chars().zip(b.chars()).take_while(|(x, y)| x == y).map(|(x, _)| x).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tilde() {
        let h = Path::new("/home/u");
        assert_eq!(expand_home("~", Some(h)), PathBuf::from("/home/u"));
        assert_eq!(expand_home("~/Downloads/a.xml", Some(h)), PathBuf::from("/home/u/Downloads/a.xml"));
        assert_eq!(expand_home("~other/a.xml", Some(h)), PathBuf::from("~other/a.xml"));
        assert_eq!(expand_home("~/a", None), PathBuf::from("~/a"));
    }

    #[test]
    fn completion_like_a_shell() {
        let d = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(d.path().join("Downloads")).expect("dir");
        std::fs::write(d.path().join("Downloads/CXEngine.xml"), "x").expect("file");
        std::fs::write(d.path().join("Downloads/CXEngine (1).xml"), "x").expect("file");
        std::fs::write(d.path().join(".hidden"), "x").expect("file");
        let home = Some(d.path());
        assert_eq!(complete_in("~/Dow", home), Completion { text: "~/Downloads/".into(), candidates: vec![] });
        let c = complete_in("~/Downloads/CX", home);
        assert_eq!(c.text, "~/Downloads/CXEngine");
        assert_eq!(c.candidates, vec!["CXEngine (1).xml".to_string(), "CXEngine.xml".to_string()]);
        let abs = format!("{}/Downloads/CXEngine.", d.path().display());
        assert_eq!(complete_in(&abs, None).text, format!("{abs}xml"));
        assert_eq!(complete_in("~/", home).candidates, Vec::<String>::new(), "one visible entry fills in");
        assert_eq!(complete_in("~/", home).text, "~/Downloads/");
        assert_eq!(complete_in("~/.h", home).text, "~/.hidden");
        assert_eq!(complete_in("~/nothing", home).text, "~/nothing");
        assert_eq!(complete_in("/no/such/dir/x", None).text, "/no/such/dir/x");
    }

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
