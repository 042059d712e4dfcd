//! Where the client secret, the plugin's api key and the webhook secrets live: the OS keychain
//! (Secret Service) when one answers on this session, otherwise a JSON file only this user can
//! read. The Settings view says which, so nobody has to guess where their secrets went.

mod file;
#[cfg(feature = "desktop")]
mod keychain;

pub use file::FileSecrets;
#[cfg(feature = "desktop")]
pub use keychain::Keychain;

use crate::settings::SecretsBackend;
use std::path::{Path, PathBuf};

/// The file used when there is no keychain, inside the app's config directory.
pub const FILE_NAME: &str = "secrets.json";

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("the secrets file {path} could not be {action}: {detail}")]
    File {
        path: PathBuf,
        action: &'static str,
        detail: String,
    },
    #[error("the keychain refused: {0}")]
    Keychain(String),
}

/// Every call may wait on D-Bus (the keychain's Secret Service; `open` gives it up to 5 s to
/// answer): callers keep it off UI threads and async workers, as the desktop shell's secrets
/// door does.
pub struct SecretStore {
    backend: Backend,
}

enum Backend {
    File(FileSecrets),
    #[cfg(feature = "desktop")]
    Keychain(Keychain),
}

impl SecretStore {
    /// The keychain under `service` when a Secret Service answers, else `config_dir`/secrets.json.
    /// Secrets left in the file by a session that had no keychain move into the keychain.
    pub fn open(config_dir: &Path, service: &str) -> SecretStore {
        let file = FileSecrets::new(config_dir.join(FILE_NAME));
        #[cfg(feature = "desktop")]
        match Keychain::probe(service) {
            Ok(keychain) => {
                migrate(&file, &keychain);
                return SecretStore {
                    backend: Backend::Keychain(keychain),
                };
            }
            Err(reason) => tracing::info!(
                "no keychain on this session ({reason}); secrets go to {}",
                file.path().display()
            ),
        }
        #[cfg(not(feature = "desktop"))]
        let _ = service;
        SecretStore {
            backend: Backend::File(file),
        }
    }

    /// The file backend only (tests, and machines where the keychain must not be used).
    pub fn file_only(config_dir: &Path) -> SecretStore {
        SecretStore {
            backend: Backend::File(FileSecrets::new(config_dir.join(FILE_NAME))),
        }
    }

    pub fn backend(&self) -> SecretsBackend {
        match &self.backend {
            Backend::File(_) => SecretsBackend::File,
            #[cfg(feature = "desktop")]
            Backend::Keychain(_) => SecretsBackend::Keychain,
        }
    }

    pub fn get(&self, name: &str) -> Result<Option<String>, SecretError> {
        match &self.backend {
            Backend::File(f) => f.get(name),
            #[cfg(feature = "desktop")]
            Backend::Keychain(k) => k.get(name),
        }
    }

    pub fn set(&self, name: &str, value: &str) -> Result<(), SecretError> {
        match &self.backend {
            Backend::File(f) => f.set(name, value),
            #[cfg(feature = "desktop")]
            Backend::Keychain(k) => k.set(name, value),
        }
    }

    pub fn delete(&self, name: &str) -> Result<(), SecretError> {
        match &self.backend {
            Backend::File(f) => f.delete(name),
            #[cfg(feature = "desktop")]
            Backend::Keychain(k) => k.delete(name),
        }
    }

    /// Reads a secret, treating a store that cannot be read as "not stored" (and saying so in
    /// the log), for callers that can carry on without it.
    pub fn get_or_warn(&self, name: &str) -> Option<String> {
        self.get(name).unwrap_or_else(|e| {
            tracing::warn!("reading the secret {name}: {e}");
            None
        })
    }
}

#[cfg(feature = "desktop")]
fn migrate(file: &FileSecrets, keychain: &Keychain) {
    let entries = match file.all() {
        Ok(entries) if !entries.is_empty() => entries,
        _ => return,
    };
    for (name, value) in &entries {
        if let Err(e) = keychain.set(name, value) {
            tracing::warn!("secrets stay in {} for now: {e}", file.path().display());
            return;
        }
    }
    match file.remove() {
        Ok(()) => tracing::info!(
            "moved {} secrets from the file into the keychain",
            entries.len()
        ),
        Err(e) => tracing::warn!("{e}"),
    }
}

/// A fresh Standard Webhooks secret (`whsec_` and 24 random bytes in base64), for the sandbox
/// to sign its webhooks with when the user set none.
pub fn new_webhook_secret() -> String {
    use base64::Engine as _;
    let bytes: [u8; 24] = rand::random();
    format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_store_says_it_is_a_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = SecretStore::file_only(dir.path());
        assert_eq!(store.backend(), SecretsBackend::File);
        store.set("socket_api_key", "k").expect("writes");
        assert_eq!(store.get_or_warn("socket_api_key").as_deref(), Some("k"));
        assert!(dir.path().join(FILE_NAME).exists());
        assert!(new_webhook_secret().starts_with("whsec_"));
        assert_ne!(new_webhook_secret(), new_webhook_secret());
    }

    /// With a Secret Service, `open` picks it and moves file secrets into it.
    #[cfg(feature = "desktop")]
    #[test]
    fn open_prefers_the_keychain_and_empties_the_file() {
        let service = format!("taskbell-test-{}", uuid::Uuid::new_v4());
        if let Err(reason) = Keychain::probe(&service) {
            eprintln!("SKIPPED open_prefers_the_keychain_and_empties_the_file: no usable keychain ({reason})");
            return;
        }
        let dir = tempfile::tempdir().expect("tempdir");
        SecretStore::file_only(dir.path())
            .set("webhook_token", "tok")
            .expect("writes");
        let store = SecretStore::open(dir.path(), &service);
        assert_eq!(store.backend(), SecretsBackend::Keychain);
        assert_eq!(
            store.get("webhook_token").expect("reads").as_deref(),
            Some("tok")
        );
        assert!(
            !dir.path().join(FILE_NAME).exists(),
            "the file is gone once migrated"
        );
        store.delete("webhook_token").expect("cleans up");
    }
}
