//! The shell's one door to the secret store. A keychain call is a D-Bus round trip to the
//! Secret Service, which may be starting, slow, or waiting on an unlock prompt, so none runs on
//! the GTK main thread or a tokio worker: the store is opened once, on a blocking thread, as the
//! app starts (which is also when secrets left in the file move into the keychain), and every
//! read and write runs through `spawn_blocking`. A read takes every secret at once, as the
//! settings' rules want them: a `Stored` they look into without waiting.

use crate::threads;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use taskbell_core::secrets::SecretStore;
use taskbell_core::settings::{SecretName, SecretsBackend};
use tokio::sync::OnceCell;

/// The keychain service name secrets are filed under.
const KEYCHAIN_SERVICE: &str = "app.taskbell.desktop";

pub struct Secrets {
    config_dir: PathBuf,
    keychain: bool,
    store: OnceCell<Arc<SecretStore>>,
}

/// The secrets as stored when they were read, and where they are kept.
pub struct Stored {
    backend: SecretsBackend,
    values: HashMap<SecretName, String>,
}

impl Stored {
    pub fn get(&self, name: SecretName) -> Option<String> {
        self.values.get(&name).cloned()
    }

    pub fn has(&self, name: SecretName) -> bool {
        self.values.contains_key(&name)
    }

    pub fn backend(&self) -> SecretsBackend {
        self.backend
    }
}

impl Secrets {
    /// Opens nothing yet; `open` (at start) or the first read does. `keychain`: use the OS
    /// keychain when one answers, else only `config_dir`'s file.
    pub fn new(config_dir: PathBuf, keychain: bool) -> Self {
        Secrets {
            config_dir,
            keychain,
            store: OnceCell::new(),
        }
    }

    async fn store(&self) -> Arc<SecretStore> {
        let open = || async {
            let (dir, keychain) = (self.config_dir.clone(), self.keychain);
            let opened = blocking("opening the secret store", move || match keychain {
                true => SecretStore::open(&dir, KEYCHAIN_SERVICE),
                false => SecretStore::file_only(&dir),
            });
            let store = opened.await.unwrap_or_else(|e| {
                tracing::warn!("{e}; secrets go to a file");
                SecretStore::file_only(&self.config_dir)
            });
            tracing::info!(secrets = store.backend().as_str(), "secret store open");
            Arc::new(store)
        };
        self.store.get_or_init(open).await.clone()
    }

    /// Finds the keychain (which may take seconds), so that the first read does not wait for it.
    pub async fn open(&self) {
        self.store().await;
    }

    /// Every secret; one that cannot be read counts as not stored (and the log says why).
    pub async fn read(&self) -> Stored {
        let store = self.store().await;
        let backend = store.backend();
        let read = blocking("reading secrets", move || {
            let stored = |n: SecretName| store.get_or_warn(n.key()).map(|v| (n, v));
            SecretName::ALL.into_iter().filter_map(stored).collect()
        });
        let values = read.await.unwrap_or_else(|e| {
            tracing::warn!("{e}");
            HashMap::new()
        });
        Stored { backend, values }
    }

    pub async fn write(&self, secrets: Vec<(SecretName, String)>) -> Result<(), String> {
        let store = self.store().await;
        blocking("storing secrets", move || {
            for (name, value) in &secrets {
                store
                    .set(name.key(), value)
                    .map_err(|e| format!("The {} could not be stored: {e}", name.key()))?;
            }
            Ok(())
        })
        .await?
    }
}

async fn blocking<T: Send + 'static>(
    what: &'static str,
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, String> {
    let ran = tauri::async_runtime::spawn_blocking(move || {
        threads::debug_assert_may_block(what);
        f()
    });
    ran.await.map_err(|e| format!("{what} failed: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Asked from an async worker and from the main thread, reads and writes still happen on
    /// the blocking pool (the debug assertion inside would fail them otherwise).
    #[test]
    fn secrets_are_read_and_written_off_the_main_thread_and_the_workers() {
        let dir = tempfile::tempdir().expect("tempdir");
        let secrets = Arc::new(Secrets::new(dir.path().to_path_buf(), false));
        let rt = threads::runtime().expect("a runtime");
        let s = secrets.clone();
        let from_worker = rt.spawn(async move {
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
            assert!(!threads::may_block(), "this test runs on a worker");
            s.write(vec![(SecretName::WebhookToken, "tok".into())])
                .await
                .expect("stored");
            s.read().await
        });
        let stored = rt.block_on(from_worker).expect("ran");
        assert_eq!(
            (
                stored.get(SecretName::WebhookToken).as_deref(),
                stored.backend()
            ),
            (Some("tok"), SecretsBackend::File)
        );
        assert!(!stored.has(SecretName::ClientSecret));

        let handle = rt.handle().clone();
        let on_main = std::thread::Builder::new()
            .name("main".into())
            .spawn(move || {
                handle
                    .block_on(secrets.read())
                    .get(SecretName::WebhookToken)
            })
            .expect("spawns");
        assert_eq!(on_main.join().expect("ran").as_deref(), Some("tok"));
    }
}
