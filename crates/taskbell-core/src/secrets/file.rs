//! The fallback secret store: a JSON object in one file with mode 0600, replaced atomically
//! (write a new file, then rename), so a crash never leaves half a file or a readable one.

use super::SecretError;
use std::collections::BTreeMap;
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

pub struct FileSecrets {
    path: PathBuf,
    /// Serialises read-modify-write: two saves at once must not lose one of them.
    lock: Mutex<()>,
}

type Entries = BTreeMap<String, String>;

impl FileSecrets {
    pub fn new(path: PathBuf) -> Self {
        FileSecrets {
            path,
            lock: Mutex::new(()),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn err(&self, action: &'static str, e: impl ToString) -> SecretError {
        SecretError::File {
            path: self.path.clone(),
            action,
            detail: e.to_string(),
        }
    }

    pub fn all(&self) -> Result<Entries, SecretError> {
        match fs::read(&self.path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| self.err("read", e)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Entries::new()),
            Err(e) => Err(self.err("read", e)),
        }
    }

    pub fn get(&self, name: &str) -> Result<Option<String>, SecretError> {
        Ok(self.all()?.remove(name))
    }

    pub fn set(&self, name: &str, value: &str) -> Result<(), SecretError> {
        self.update(|e| {
            e.insert(name.to_string(), value.to_string());
        })
    }

    pub fn delete(&self, name: &str) -> Result<(), SecretError> {
        self.update(|e| {
            e.remove(name);
        })
    }

    /// Deletes the whole file (after its secrets moved to the keychain).
    pub fn remove(&self) -> Result<(), SecretError> {
        let _guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        match fs::remove_file(&self.path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(self.err("removed", e)),
            _ => Ok(()),
        }
    }

    fn update(&self, change: impl FnOnce(&mut Entries)) -> Result<(), SecretError> {
        let _guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let mut entries = self.all()?;
        change(&mut entries);
        self.write(&entries)
    }

    fn write(&self, entries: &Entries) -> Result<(), SecretError> {
        let dir = self
            .path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        if !dir.exists() {
            fs::create_dir_all(dir).map_err(|e| self.err("written", e))?;
            // A directory we made holds nobody else's files: close it to others too.
            let _ = fs::set_permissions(dir, fs::Permissions::from_mode(0o700));
        }
        let json = serde_json::to_vec_pretty(entries).map_err(|e| self.err("written", e))?;
        let tmp = self
            .path
            .with_extension(format!("tmp-{}", std::process::id()));
        let _ = fs::remove_file(&tmp);
        let mut f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)
            .map_err(|e| self.err("written", e))?;
        f.write_all(&json)
            .and_then(|_| f.sync_all())
            .map_err(|e| self.err("written", e))?;
        fs::rename(&tmp, &self.path).map_err(|e| self.err("written", e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_round_trip_in_a_file_only_the_user_can_read() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("config").join("secrets.json");
        let f = FileSecrets::new(path.clone());
        assert_eq!(
            f.get("client_secret").expect("reads"),
            None,
            "no file yet is no secret"
        );
        f.set("client_secret", "s3cret").expect("writes");
        f.set("webhook_token", "tok").expect("writes");
        assert_eq!(
            f.get("client_secret").expect("reads").as_deref(),
            Some("s3cret")
        );
        let mode = fs::metadata(&path).expect("exists").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "mode {mode:o}");
        let dir_mode = fs::metadata(path.parent().expect("dir"))
            .expect("exists")
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(dir_mode, 0o700, "dir mode {dir_mode:o}");
        f.delete("client_secret").expect("deletes");
        assert_eq!(f.get("client_secret").expect("reads"), None);
        assert_eq!(
            FileSecrets::new(path.clone())
                .get("webhook_token")
                .expect("reads")
                .as_deref(),
            Some("tok")
        );
        let leftovers: Vec<_> = fs::read_dir(path.parent().expect("dir"))
            .expect("lists")
            .collect();
        assert_eq!(leftovers.len(), 1, "no temporary files left behind");
    }

    #[test]
    fn a_loose_file_is_tightened_on_the_next_write() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("secrets.json");
        fs::write(&path, "{}").expect("writes");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).expect("chmod");
        FileSecrets::new(path.clone())
            .set("k", "v")
            .expect("writes");
        assert_eq!(
            fs::metadata(&path).expect("exists").permissions().mode() & 0o777,
            0o600
        );
    }

    #[test]
    fn a_corrupt_file_is_an_error_not_an_empty_store() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("secrets.json");
        fs::write(&path, "not json").expect("writes");
        let e = FileSecrets::new(path).get("k").expect_err("corrupt");
        assert!(e.to_string().contains("could not be read"), "{e}");
    }
}
