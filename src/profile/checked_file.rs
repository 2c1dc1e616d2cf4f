//! A field whose value names a file the vendor reads and checks before a profile keeps it
//! (CX-Engine's CRM template): the vendor's rules ([`FileRules`], given by its schema) and what a
//! check found ([`FileCheck`]). The front ends carry these without knowing whose file it is; the
//! words around them are the vendor's guide's (`[fields.<key>.file]`).

use std::path::{Path, PathBuf};

/// How a vendor checks and copies its file.
#[derive(Debug)]
pub struct FileRules {
    /// Reads and checks the file a user typed (`~` allowed), or says why it could not be read.
    pub check: fn(&str) -> Result<FileCheck, String>,
    /// Writes a copy of the file under [`Self::wanted_name`] beside it (never touching the
    /// original) and returns its path, or says why not.
    pub copy: fn(&Path) -> Result<PathBuf, String>,
    /// The file name the vendor's software accepts, which a copy gets.
    pub wanted_name: &'static str,
}

/// Rules are one vendor's static: the same rules are the same static (a field's kind compares so).
impl PartialEq for FileRules {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}
impl Eq for FileRules {}

/// A line-numbered finding in a checked file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FileNote {
    pub line: u32,
    pub message: String,
}

/// What a checked file turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileCheck {
    /// The file, absolute and with symlinks resolved: what the profile records.
    pub path: PathBuf,
    /// Why the vendor's software would refuse the file's name, if it would.
    pub name_problem: Option<String>,
    /// What makes the file unusable, in line order.
    pub problems: Vec<FileNote>,
    /// What is worth saying without refusing the file.
    pub warnings: Vec<FileNote>,
    /// The name the file gives itself, which the vendor's software shows.
    pub name: Option<String>,
}

impl FileCheck {
    pub fn ok(&self) -> bool {
        self.name_problem.is_none() && self.problems.is_empty()
    }

    /// Whether the name is its only fault: a copy under the wanted name fixes it.
    pub fn only_its_name(&self) -> bool {
        self.name_problem.is_some() && self.problems.is_empty()
    }
}
