//! Where uploaded files live: content-addressed by SHA-256 under `<data>/files`. The
//! `Store` trait is the seam for S3-compatible object storage when an instance outgrows
//! one disk; calls are blocking and made from `spawn_blocking`.

use std::io;
use std::path::{Path, PathBuf};

pub trait Store: Send + Sync {
    fn put(&self, sha256: &str, bytes: &[u8]) -> io::Result<()>;
    fn get(&self, sha256: &str) -> io::Result<Vec<u8>>;
    fn delete(&self, sha256: &str) -> io::Result<()>;
    /// Where the file is on the local disk, to be streamed from there (with `Range`).
    fn local_path(&self, sha256: &str) -> io::Result<PathBuf>;
}

/// Files on the local disk, two levels of directories deep (`ab/cd/abcd...`).
pub struct LocalStore {
    root: PathBuf,
}

impl LocalStore {
    pub fn new(root: &Path) -> LocalStore {
        LocalStore { root: root.to_path_buf() }
    }

    fn path(&self, sha256: &str) -> io::Result<PathBuf> {
        let valid = sha256.len() == 64 && sha256.chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase());
        if !valid {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "not a sha-256"));
        }
        Ok(self.root.join(&sha256[..2]).join(&sha256[2..4]).join(sha256))
    }
}

impl Store for LocalStore {
    fn put(&self, sha256: &str, bytes: &[u8]) -> io::Result<()> {
        let path = self.path(sha256)?;
        if path.exists() {
            return Ok(());
        }
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        // write then rename, so a crash never leaves half a file under its final name
        let tmp = path.with_extension("part");
        std::fs::write(&tmp, bytes)?;
        std::fs::rename(&tmp, &path)
    }

    fn get(&self, sha256: &str) -> io::Result<Vec<u8>> {
        std::fs::read(self.path(sha256)?)
    }

    fn local_path(&self, sha256: &str) -> io::Result<PathBuf> {
        let path = self.path(sha256)?;
        if path.is_file() {
            Ok(path)
        } else {
            Err(io::Error::new(io::ErrorKind::NotFound, "no such file"))
        }
    }

    fn delete(&self, sha256: &str) -> io::Result<()> {
        match std::fs::remove_file(self.path(sha256)?) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_round_trip_and_bad_names_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let s = LocalStore::new(dir.path());
        let sha = "a".repeat(64);
        s.put(&sha, b"hello").unwrap();
        assert_eq!(s.get(&sha).unwrap(), b"hello");
        s.delete(&sha).unwrap();
        assert!(s.get(&sha).is_err());
        assert!(s.put("../../etc/passwd", b"x").is_err());
    }
}
