//! Files, read and written safely. Reading a file someone named (a CA file, an import, a
//! template, a key file): only a regular file, and only up to a bound. A FIFO or a device would
//! block or never end (`/dev/zero`), and pbxlink must never hang or grow without limit on what a
//! path points at. Writing (`atomic`): whole or not at all, 0600, under a lock.

pub mod atomic;
pub mod complete;

use std::io::{self, Read};
use std::path::Path;

/// The bytes of the regular file at `path` (links followed), at most `max` of them: a FIFO, a
/// socket, a device or a directory is refused before it is opened, and a larger file is refused
/// rather than cut.
pub fn read_regular(path: &Path, max: u64) -> io::Result<Vec<u8>> {
    let meta = std::fs::metadata(path)?;
    if meta.is_dir() {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "it is a directory"));
    }
    if !meta.is_file() {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "not a regular file (a FIFO, a socket or a device)"));
    }
    if meta.len() > max {
        return Err(too_large(max));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    std::fs::File::open(path)?.take(max + 1).read_to_end(&mut bytes)?;
    // It may have grown since it was measured.
    if bytes.len() as u64 > max {
        return Err(too_large(max));
    }
    Ok(bytes)
}

/// Opens the lock file at `path` for reading and writing, created 0600 when missing. Anything but
/// a regular file in its place (a FIFO, whose opening would block until a reader came, a device)
/// is refused, so taking a lock never hangs.
pub fn open_lock(path: &Path) -> io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    match std::fs::metadata(path) {
        Ok(m) if !m.is_file() => {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{} is not a regular file (a FIFO or a device?): remove it", path.display()),
            ));
        }
        _ => {}
    }
    std::fs::OpenOptions::new().create(true).truncate(false).read(true).write(true).mode(0o600).open(path)
}

/// Whether `file` is still the file at `path` (the same inode): a lock taken on a file that its
/// holder removed meanwhile is no lock, and is taken again on the file now there.
pub fn is_at(file: &std::fs::File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

fn too_large(max: u64) -> io::Error {
    let shown = if max >= 1024 * 1024 { format!("{} MiB", max / (1024 * 1024)) } else { format!("{} KiB", max / 1024) };
    io::Error::new(io::ErrorKind::InvalidData, format!("larger than {shown}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_regular_file_within_its_bound() {
        let d = tempfile::tempdir().expect("tempdir");
        let f = d.path().join("ca.pem");
        std::fs::write(&f, b"0123456789").expect("write");
        assert_eq!(read_regular(&f, 10).expect("read"), b"0123456789");
        assert!(read_regular(&f, 9).expect_err("too large").to_string().contains("larger than"));
        assert!(read_regular(d.path(), 10).expect_err("dir").to_string().contains("directory"));
        let e = read_regular(Path::new("/dev/zero"), 1024).expect_err("a device");
        assert!(e.to_string().contains("not a regular file"), "{e}");
        let fifo = d.path().join("fifo");
        assert!(std::process::Command::new("mkfifo").arg(&fifo).status().is_ok_and(|s| s.success()));
        // Refused before it is opened: opening a FIFO with no writer would block.
        assert!(read_regular(&fifo, 1024).expect_err("a FIFO").to_string().contains("FIFO"));
    }
}
