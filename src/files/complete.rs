//! A typed path: `~` expanded, and completed on Tab like a shell (one match filled in, several
//! filled to their common prefix and listed). Used by every path field of every front end.

use std::path::{Path, PathBuf};

/// `~` and `~/…` become the home directory; anything else is left as typed.
pub fn expand_home(typed: &str, home: Option<&Path>) -> PathBuf {
    match (typed.strip_prefix('~'), home) {
        (Some(""), Some(h)) => h.to_path_buf(),
        (Some(rest), Some(h)) if rest.starts_with('/') => h.join(rest.trim_start_matches('/')),
        _ => PathBuf::from(typed),
    }
}

/// The user's home directory, from `HOME` (none when unset or empty).
pub fn home() -> Option<PathBuf> {
    std::env::var_os("HOME").filter(|h| !h.is_empty()).map(PathBuf::from)
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
}
