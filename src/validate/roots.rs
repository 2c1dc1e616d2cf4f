//! The system's CA certificates, found where OpenSSL (and rustls-native-certs, whose rules these
//! are) looks: `SSL_CERT_FILE` and `SSL_CERT_DIR` (a `:`-separated list) when either is set, else
//! the platform's usual bundle file and certificate directories. Every file of a directory is
//! read once however many links point at it (a hashed directory links each certificate twice).
//!
//! Read as a stream into trust anchors, one file and one certificate at a time: these are public
//! certificates, so their base64 is decoded at full speed, not with the constant-time decoder
//! that private keys need (that decoder made the system roots three quarters of a validation's
//! CPU). Nothing but the anchors is kept.

use base64::Engine as _;
use rustls::RootCertStore;
use rustls::pki_types::{CertificateDer, TrustAnchor};
use std::collections::HashSet;
use std::io::BufRead;
use std::path::{Path, PathBuf};

/// Where the system's certificates are, by OpenSSL's rules.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct CertPaths {
    pub file: Option<PathBuf>,
    pub dirs: Vec<PathBuf>,
}

impl CertPaths {
    /// `SSL_CERT_FILE` / `SSL_CERT_DIR` when either is set (even to a path that is missing: the
    /// user chose it), else what `openssl_probe` finds on this system.
    pub fn find() -> Self {
        let from_env = Self::from_vars(std::env::var_os("SSL_CERT_FILE"), std::env::var_os("SSL_CERT_DIR"));
        if from_env.file.is_some() || !from_env.dirs.is_empty() {
            return from_env;
        }
        let probed = openssl_probe::probe();
        Self { file: probed.cert_file, dirs: probed.cert_dir }
    }

    fn from_vars(file: Option<std::ffi::OsString>, dirs: Option<std::ffi::OsString>) -> Self {
        Self {
            file: file.map(PathBuf::from),
            dirs: dirs
                .map(|d| std::env::split_paths(&d).filter(|p| !p.as_os_str().is_empty()).collect())
                .unwrap_or_default(),
        }
    }

    /// Every distinct trust anchor in the file and the directories' regular files. Unreadable
    /// files and certificates that cannot be anchors are skipped, as OpenSSL skips them.
    pub fn load(&self) -> RootCertStore {
        let mut loader = Loader { files: HashSet::new(), anchors: Vec::new(), one: RootCertStore::empty() };
        if let Some(file) = &self.file {
            loader.file(file);
        }
        for dir in &self.dirs {
            let Ok(entries) = std::fs::read_dir(dir) else { continue };
            for entry in entries.flatten() {
                loader.file(&entry.path());
            }
        }
        // The bundle and the directory hold the same certificates: each anchor once, in a stable
        // order. Sorted by the end of the public key first (key material, so two anchors differ
        // there at once), not by the subjects, whose long shared prefixes make a slow sort.
        let mut roots = loader.anchors;
        roots.sort_unstable_by(|a, b| {
            key(a).cmp(key(b)).then_with(|| {
                (a.subject.as_ref(), a.subject_public_key_info.as_ref(), a.name_constraints.as_deref()).cmp(&(
                    b.subject.as_ref(),
                    b.subject_public_key_info.as_ref(),
                    b.name_constraints.as_deref(),
                ))
            })
        });
        roots.dedup();
        RootCertStore { roots }
    }
}

struct Loader {
    /// (device, inode) of every file read: the links of a hashed directory point at files the
    /// bundle or another link already gave.
    files: HashSet<(u64, u64)>,
    anchors: Vec<TrustAnchor<'static>>,
    /// rustls's own rule for what may be an anchor, one certificate at a time.
    one: RootCertStore,
}

/// The most of one system CA file read.
const MAX_BUNDLE: u64 = 16 * 1024 * 1024;

impl Loader {
    fn file(&mut self, path: &Path) {
        use std::os::unix::fs::MetadataExt;
        // `metadata` follows links, so a link and its target count as one file.
        let Ok(meta) = std::fs::metadata(path) else { return };
        if !meta.is_file() || !self.files.insert((meta.dev(), meta.ino())) {
            return;
        }
        let Ok(f) = std::fs::File::open(path) else { return };
        // Bounded: a bundle is a few hundred KiB; what a misplaced huge file holds is not read.
        use std::io::Read;
        each_certificate(std::io::BufReader::new(f.take(MAX_BUNDLE)), |der| self.add(der));
    }

    fn add(&mut self, der: &[u8]) {
        if self.one.add(CertificateDer::from(der)).is_err() {
            return;
        }
        self.anchors.append(&mut self.one.roots);
    }
}

/// Calls `each` with the DER of every `CERTIFICATE` block of a PEM stream, in order. Other blocks
/// (keys, `TRUSTED CERTIFICATE`, parameters) and text between blocks are passed over, as
/// rustls's own PEM reader does; a block whose base64 is broken is skipped, the rest still read.
fn each_certificate(mut r: impl BufRead, mut each: impl FnMut(&[u8])) {
    const BEGIN: &[u8] = b"-----BEGIN CERTIFICATE-----";
    const END: &[u8] = b"-----END CERTIFICATE-----";
    let mut line = Vec::with_capacity(128);
    let mut b64 = Vec::with_capacity(4096);
    let mut der = Vec::with_capacity(4096);
    let mut inside = false;
    loop {
        line.clear();
        match r.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        // Only the line's end is trimmed here (a body line is 64 characters and a newline): the
        // rare line with other spaces is handled when its block does not decode.
        let text = line.trim_ascii_end();
        let marker = text.trim_ascii_start().starts_with(b"-----");
        if !inside {
            if marker && text.trim_ascii_start() == BEGIN {
                inside = true;
                b64.clear();
            }
            continue;
        }
        if !marker {
            b64.extend_from_slice(text);
            continue;
        }
        let text = text.trim_ascii_start();
        if text == END {
            inside = false;
            if decode(&mut b64, &mut der) {
                each(&der);
            }
        } else {
            inside = text == BEGIN; // a block without its end: start over at the next one
            b64.clear();
        }
    }
}

/// `b64` decoded into `der`, with any spaces left in it taken out first if it does not decode.
fn decode(b64: &mut Vec<u8>, der: &mut Vec<u8>) -> bool {
    let engine = &base64::engine::general_purpose::STANDARD;
    der.clear();
    if engine.decode_vec(&*b64, der).is_ok() {
        return true;
    }
    b64.retain(|c| !c.is_ascii_whitespace());
    der.clear();
    engine.decode_vec(&*b64, der).is_ok()
}

/// The last bytes of an anchor's public key: key material, different for every two keys.
fn key<'a>(a: &'a TrustAnchor<'_>) -> &'a [u8] {
    let spki = a.subject_public_key_info.as_ref();
    &spki[spki.len().saturating_sub(8)..]
}

#[cfg(test)]
#[path = "roots_tests.rs"]
mod tests;
