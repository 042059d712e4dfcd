//! The OS keychain through the Secret Service D-Bus API (GNOME Keyring, KWallet, KeePassXC),
//! via the `keyring` crate. Each secret is one item, under the app's service name.

use super::SecretError;
use keyring::{Entry, Error as KeyringError};
use std::sync::mpsc;
use std::time::Duration;

/// A Secret Service being started by D-Bus activation takes a moment; one that has not
/// answered by then is treated as absent rather than holding up the app's start.
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

const PROBE_NAME: &str = "taskbell-probe";

pub struct Keychain {
    service: String,
}

/// A default keyring that exists and is unlocked takes new items without asking anyone.
fn default_keyring_unlocked() -> Result<(), String> {
    use dbus_secret_service::{EncryptionType, SecretService};
    let ss = SecretService::connect(EncryptionType::Plain).map_err(|e| e.to_string())?;
    let collection = ss
        .get_default_collection()
        .map_err(|e| format!("no default keyring: {e}"))?;
    match collection.is_locked() {
        Ok(false) => Ok(()),
        Ok(true) => Err("the default keyring is locked".into()),
        Err(e) => Err(e.to_string()),
    }
}

fn refused(e: KeyringError) -> SecretError {
    SecretError::Keychain(e.to_string())
}

impl Keychain {
    /// A keychain that has just answered a lookup, or why there is none.
    pub fn probe(service: &str) -> Result<Keychain, String> {
        let (tx, rx) = mpsc::channel();
        let name = service.to_string();
        // The calls block on D-Bus; a thread lets the wait be bounded.
        std::thread::spawn(move || {
            let answer = default_keyring_unlocked().and_then(|()| {
                match Entry::new(&name, PROBE_NAME).and_then(|e| e.get_password()) {
                    Ok(_) | Err(KeyringError::NoEntry) => Ok(()),
                    Err(e) => Err(e.to_string()),
                }
            });
            let _ = tx.send(answer);
        });
        match rx.recv_timeout(PROBE_TIMEOUT) {
            Ok(Ok(())) => Ok(Keychain {
                service: service.to_string(),
            }),
            Ok(Err(reason)) => Err(reason),
            Err(_) => Err(format!(
                "the Secret Service did not answer within {} s",
                PROBE_TIMEOUT.as_secs()
            )),
        }
    }

    pub fn service(&self) -> &str {
        &self.service
    }

    fn entry(&self, name: &str) -> Result<Entry, SecretError> {
        Entry::new(&self.service, name).map_err(refused)
    }

    pub fn get(&self, name: &str) -> Result<Option<String>, SecretError> {
        match self.entry(name)?.get_password() {
            Ok(v) => Ok(Some(v)),
            Err(KeyringError::NoEntry) => Ok(None),
            Err(e) => Err(refused(e)),
        }
    }

    pub fn set(&self, name: &str, value: &str) -> Result<(), SecretError> {
        self.entry(name)?.set_password(value).map_err(refused)
    }

    pub fn delete(&self, name: &str) -> Result<(), SecretError> {
        match self.entry(name)?.delete_credential() {
            Ok(()) | Err(KeyringError::NoEntry) => Ok(()),
            Err(e) => Err(refused(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs only where a Secret Service answers (a desktop session, or CI with gnome-keyring
    /// unlocked); elsewhere it says why it did not run.
    #[test]
    fn secrets_round_trip_through_the_keychain() {
        let service = format!("taskbell-test-{}", uuid::Uuid::new_v4());
        let keychain = match Keychain::probe(&service) {
            Ok(k) => k,
            Err(reason) => {
                eprintln!("SKIPPED secrets_round_trip_through_the_keychain: no usable keychain ({reason})");
                return;
            }
        };
        assert_eq!(keychain.get("client_secret").expect("reads"), None);
        keychain.set("client_secret", "s3cret").expect("writes");
        assert_eq!(
            keychain.get("client_secret").expect("reads").as_deref(),
            Some("s3cret")
        );
        keychain
            .set("client_secret", "changed")
            .expect("overwrites");
        assert_eq!(
            keychain.get("client_secret").expect("reads").as_deref(),
            Some("changed")
        );
        keychain.delete("client_secret").expect("deletes");
        assert_eq!(keychain.get("client_secret").expect("reads"), None);
        keychain
            .delete("client_secret")
            .expect("deleting nothing is fine");
    }
}
