//! The user's settings, in the JSON shape the Settings view edits. Secrets travel in one direction only: the window may send one when the user
//! types it, but a serialized `AppSettings` never carries one back; the `*_set` flags say
//! whether one is stored. Where secrets live is [`crate::secrets`]'s business.

mod check;
mod plan;
mod validate;

pub use check::{check_connection, ConnectionCheck};
pub use plan::{RuntimePlan, SandboxEndpoints, SANDBOX_SYSTEM};
pub use validate::SettingsError;

use crate::engine::{NotifyPrefs, NotifyScope, QuietHours};
use crate::inbox::socket::DEFAULT_CHANNEL;
use crate::inbox::webhook::DEFAULT_PORT;
use crate::task::EventKind;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use ts_rs::TS;

/// Polling more often than this buys little and costs Canvas's patience.
pub const MIN_POLL_SECS: u64 = 10;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct AppSettings {
    pub connection: Connection,
    pub receive: ReceiveSettings,
    pub notify: NotifySettings,
    pub autostart: bool,
    /// Where secrets live: the OS keychain, or a file only this user can read. Read-only:
    /// filled in by whoever stores the secrets.
    pub secrets_backend: SecretsBackend,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Connection {
    /// The embedded canvas-sandbox: the whole loop with no Canvas account.
    Sandbox,
    Canvas(CanvasConnection),
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct CanvasConnection {
    /// The part before `.canvasmedical.com`, or "" when the URLs are given in full.
    pub instance: String,
    pub fhir_base: String,
    pub token_url: String,
    pub client_id: String,
    pub client_secret: WriteOnly,
    pub client_secret_set: bool,
    /// The practitioner tasks are requested by: this user.
    pub requester: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum ReceiveMode {
    Live,
    Webhook,
    Poll,
}

impl ReceiveMode {
    pub fn as_str(self) -> &'static str {
        match self {
            ReceiveMode::Live => "live",
            ReceiveMode::Webhook => "webhook",
            ReceiveMode::Poll => "poll",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct ReceiveSettings {
    pub mode: ReceiveMode,
    /// "" derives the address from the instance name.
    pub socket_url: String,
    pub socket_channel: String,
    pub socket_api_key: WriteOnly,
    pub socket_api_key_set: bool,
    pub webhook_port: u32,
    pub webhook_secret: WriteOnly,
    pub webhook_secret_set: bool,
    pub webhook_token: WriteOnly,
    pub webhook_token_set: bool,
    /// Where Canvas reaches the webhook endpoint when the user exposes it themselves.
    pub public_url: String,
    pub poll_interval_secs: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct NotifySettings {
    pub scope: NotifyScope,
    pub kinds: Vec<EventKind>,
    pub show_patient: bool,
    pub sound: bool,
    /// Remind this many minutes before a task of mine is due; `None`: never.
    pub due_soon_minutes: Option<u32>,
    /// Remind once when a task of mine becomes overdue.
    pub overdue: bool,
    /// Group ids whose tasks count as mine.
    pub teams: Vec<String>,
    pub assigned_to_me: bool,
    pub assigned_to_team: bool,
    /// A comment by someone else on a task this user requested or owns.
    pub comments: bool,
    /// No popups between these local times ("HH:MM"), which may wrap midnight; off when unset.
    pub quiet_hours: Option<QuietHours>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum SecretsBackend {
    Keychain,
    #[default]
    File,
}

impl SecretsBackend {
    pub fn as_str(self) -> &'static str {
        match self {
            SecretsBackend::Keychain => "keychain",
            SecretsBackend::File => "file",
        }
    }
}

/// The secrets a settings document can carry, by the name they are stored under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SecretName {
    ClientSecret,
    SocketApiKey,
    WebhookSecret,
    WebhookToken,
}

impl SecretName {
    pub const ALL: [SecretName; 4] = [
        SecretName::ClientSecret,
        SecretName::SocketApiKey,
        SecretName::WebhookSecret,
        SecretName::WebhookToken,
    ];

    pub fn key(self) -> &'static str {
        match self {
            SecretName::ClientSecret => "client_secret",
            SecretName::SocketApiKey => "socket_api_key",
            SecretName::WebhookSecret => "webhook_secret",
            SecretName::WebhookToken => "webhook_token",
        }
    }
}

/// A secret the window may send but never receives: it serializes as `null` whatever it holds,
/// an empty string reads as "not given", and `Debug` hides it.
#[derive(Clone, Default, PartialEq, Eq, TS)]
#[ts(as = "Option<String>")]
pub struct WriteOnly(pub Option<String>);

impl WriteOnly {
    pub fn new(s: impl Into<String>) -> Self {
        WriteOnly(Some(s.into()))
    }
}

impl fmt::Debug for WriteOnly {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_some() { "<given>" } else { "None" })
    }
}

impl Serialize for WriteOnly {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_none()
    }
}

impl<'de> Deserialize<'de> for WriteOnly {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(WriteOnly(
            Option::<String>::deserialize(d)?.filter(|s| !s.is_empty()),
        ))
    }
}

impl Default for AppSettings {
    fn default() -> Self {
        AppSettings {
            connection: Connection::Sandbox,
            receive: ReceiveSettings::default(),
            notify: NotifySettings::default(),
            autostart: false,
            secrets_backend: SecretsBackend::default(),
        }
    }
}

impl Default for ReceiveSettings {
    fn default() -> Self {
        ReceiveSettings {
            mode: ReceiveMode::Live,
            socket_url: String::new(),
            socket_channel: DEFAULT_CHANNEL.into(),
            socket_api_key: WriteOnly::default(),
            socket_api_key_set: false,
            webhook_port: DEFAULT_PORT.into(),
            webhook_secret: WriteOnly::default(),
            webhook_secret_set: false,
            webhook_token: WriteOnly::default(),
            webhook_token_set: false,
            public_url: String::new(),
            poll_interval_secs: 30,
        }
    }
}

impl Default for NotifySettings {
    fn default() -> Self {
        let prefs = NotifyPrefs::default();
        NotifySettings {
            scope: NotifyScope::Mine,
            kinds: vec![EventKind::Completed, EventKind::Closed],
            show_patient: false,
            sound: true,
            due_soon_minutes: prefs.due_soon_minutes,
            overdue: prefs.overdue,
            teams: prefs.teams,
            assigned_to_me: prefs.assigned_to_me,
            assigned_to_team: prefs.assigned_to_team,
            comments: prefs.comments,
            quiet_hours: prefs.quiet_hours,
        }
    }
}

impl AppSettings {
    /// Removes the secrets the window sent, for the caller to store: what remains is safe to
    /// persist as plain JSON.
    pub fn take_secrets(&mut self) -> Vec<(SecretName, String)> {
        let mut taken = Vec::new();
        let mut take = |name, slot: &mut WriteOnly| {
            if let Some(v) = slot.0.take() {
                taken.push((name, v));
            }
        };
        if let Connection::Canvas(c) = &mut self.connection {
            take(SecretName::ClientSecret, &mut c.client_secret);
        }
        let r = &mut self.receive;
        take(SecretName::SocketApiKey, &mut r.socket_api_key);
        take(SecretName::WebhookSecret, &mut r.webhook_secret);
        take(SecretName::WebhookToken, &mut r.webhook_token);
        taken
    }

    /// Fills the read-only facts: which secrets are stored, and where.
    pub fn mark_stored(&mut self, is_stored: impl Fn(SecretName) -> bool, backend: SecretsBackend) {
        if let Connection::Canvas(c) = &mut self.connection {
            c.client_secret_set = is_stored(SecretName::ClientSecret);
        }
        let r = &mut self.receive;
        r.socket_api_key_set = is_stored(SecretName::SocketApiKey);
        r.webhook_secret_set = is_stored(SecretName::WebhookSecret);
        r.webhook_token_set = is_stored(SecretName::WebhookToken);
        self.secrets_backend = backend;
    }

    pub fn is_sandbox(&self) -> bool {
        matches!(self.connection, Connection::Sandbox)
    }

    pub fn notify_prefs(&self) -> NotifyPrefs {
        let n = &self.notify;
        NotifyPrefs {
            scope: n.scope,
            kinds: n.kinds.clone(),
            show_patient: n.show_patient,
            due_soon_minutes: n.due_soon_minutes,
            overdue: n.overdue,
            teams: n.teams.clone(),
            assigned_to_me: n.assigned_to_me,
            assigned_to_team: n.assigned_to_team,
            comments: n.comments,
            quiet_hours: n.quiet_hours.clone(),
        }
    }

    /// Whether going from `self` to `next` changes where or how changes are heard, so the
    /// connection must be restarted. Notification preferences alone apply in place.
    pub fn connection_changed(&self, next: &AppSettings) -> bool {
        let bare = |s: &AppSettings| {
            let mut s = s.clone();
            s.mark_stored(|_| false, SecretsBackend::File);
            s.take_secrets();
            (s.connection, s.receive)
        };
        bare(self) != bare(next)
    }

    /// How the status line names the connection: "Sandbox", the instance, or the FHIR host.
    pub fn display_name(&self) -> String {
        match &self.connection {
            Connection::Sandbox => "Sandbox".into(),
            Connection::Canvas(c) => plan::canvas_system(c),
        }
    }

    /// A secret typed into this document (not yet stored).
    pub fn typed_secret(&self, name: SecretName) -> Option<String> {
        let slot = match (name, &self.connection) {
            (SecretName::ClientSecret, Connection::Canvas(c)) => &c.client_secret,
            (SecretName::ClientSecret, Connection::Sandbox) => return None,
            (SecretName::SocketApiKey, _) => &self.receive.socket_api_key,
            (SecretName::WebhookSecret, _) => &self.receive.webhook_secret,
            (SecretName::WebhookToken, _) => &self.receive.webhook_token,
        };
        slot.0.clone()
    }

    /// The secrets this setup cannot run without. The sandbox brings its own.
    pub fn required_secrets(&self) -> Vec<SecretName> {
        match (&self.connection, self.receive.mode) {
            (Connection::Sandbox, _) => Vec::new(),
            (Connection::Canvas(_), ReceiveMode::Live) => {
                vec![SecretName::ClientSecret, SecretName::SocketApiKey]
            }
            (Connection::Canvas(_), _) => vec![SecretName::ClientSecret],
        }
    }

    /// Refuses a setup that needs a secret nobody typed or stored.
    pub fn check_secrets(
        &self,
        available: impl Fn(SecretName) -> bool,
    ) -> Result<(), SettingsError> {
        match self.required_secrets().into_iter().find(|n| !available(*n)) {
            None => Ok(()),
            Some(SecretName::ClientSecret) => Err(SettingsError::new(
                "client_secret",
                "Enter the client secret: none is stored yet",
            )),
            Some(_) => Err(SettingsError::new(
                "socket_api_key",
                "Enter the plugin's api key (SOCKET_API_KEY): none is stored yet",
            )),
        }
    }

    /// Readies a document the window sent for saving: checks it, and splits off the secrets it
    /// carries (for the secret store) from what may be written as plain JSON. `stored` says
    /// whether a secret is already kept.
    pub fn prepare_save(
        mut self,
        stored: impl Fn(SecretName) -> bool,
    ) -> Result<(AppSettings, Vec<(SecretName, String)>), SettingsError> {
        self.validate()?;
        self.check_secrets(|n| self.typed_secret(n).is_some() || stored(n))?;
        let secrets = self.take_secrets();
        Ok((self, secrets))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn defaults_are_the_sandbox_heard_live() {
        let v = serde_json::to_value(AppSettings::default()).expect("serializes");
        assert_eq!(
            v,
            json!({
                "connection": {"kind": "sandbox"},
                "receive": {
                    "mode": "live", "socket_url": "", "socket_channel": "taskbell",
                    "socket_api_key": null, "socket_api_key_set": false,
                    "webhook_port": 8787, "webhook_secret": null, "webhook_secret_set": false,
                    "webhook_token": null, "webhook_token_set": false,
                    "public_url": "", "poll_interval_secs": 30
                },
                "notify": {
                    "scope": "mine", "kinds": ["completed", "closed"], "show_patient": false, "sound": true,
                    "due_soon_minutes": 60, "overdue": true, "teams": [],
                    "assigned_to_me": true, "assigned_to_team": true, "comments": true, "quiet_hours": null
                },
                "autostart": false,
                "secrets_backend": "file"
            })
        );
    }

    #[test]
    fn secrets_are_read_but_never_written_back() {
        let sent = json!({
            "connection": {"kind": "canvas", "instance": "demo", "fhir_base": "", "token_url": "",
                "client_id": "id", "client_secret": "s3cret", "client_secret_set": false, "requester": "p1"},
            "receive": {"mode": "poll", "socket_api_key": "", "webhook_token": "tok"}
        });
        let mut s: AppSettings = serde_json::from_value(sent).expect("parses");
        let text = serde_json::to_string(&s).expect("serializes");
        assert!(
            !text.contains("s3cret") && !text.contains("tok\""),
            "{text}"
        );
        assert!(!format!("{s:?}").contains("s3cret"));
        let mut taken = s.take_secrets();
        taken.sort_by_key(|(n, _)| n.key());
        assert_eq!(
            taken,
            vec![
                (SecretName::ClientSecret, "s3cret".into()),
                (SecretName::WebhookToken, "tok".into())
            ]
        );
        assert!(
            s.take_secrets().is_empty(),
            "an empty field is not a secret"
        );
        s.mark_stored(|n| n == SecretName::ClientSecret, SecretsBackend::Keychain);
        let v = serde_json::to_value(&s).expect("serializes");
        assert_eq!(v["connection"]["client_secret_set"], json!(true));
        assert_eq!(v["connection"]["client_secret"], json!(null));
        assert_eq!(v["receive"]["webhook_token_set"], json!(false));
        assert_eq!(v["secrets_backend"], json!("keychain"));
    }

    #[test]
    fn a_save_splits_secrets_off_and_refuses_missing_ones() {
        let sent: AppSettings = serde_json::from_value(json!({
            "connection": {"kind": "canvas", "instance": "demo", "client_id": "id", "client_secret": "cs", "requester": "p1"},
            "receive": {"mode": "live", "socket_api_key": null}
        }))
        .expect("parses");
        assert_eq!(
            sent.clone().prepare_save(|_| false).err().map(|e| e.field),
            Some("socket_api_key")
        );
        let (kept, secrets) = sent
            .prepare_save(|n| n == SecretName::SocketApiKey)
            .expect("saves");
        assert_eq!(secrets, vec![(SecretName::ClientSecret, "cs".to_string())]);
        assert_eq!(kept.typed_secret(SecretName::ClientSecret), None);
        assert_eq!(kept.display_name(), "demo");
        assert_eq!(AppSettings::default().display_name(), "Sandbox");
    }

    #[test]
    fn only_connection_and_receive_changes_need_a_restart() {
        let base = AppSettings::default();
        let mut quieter = base.clone();
        quieter.notify.sound = false;
        quieter.autostart = true;
        assert!(!base.connection_changed(&quieter));
        let mut flagged = base.clone();
        flagged.receive.webhook_secret_set = true;
        assert!(
            !base.connection_changed(&flagged),
            "stored-secret flags are not settings"
        );
        let mut polling = base.clone();
        polling.receive.mode = ReceiveMode::Poll;
        assert!(base.connection_changed(&polling));
    }

    #[test]
    fn missing_fields_take_their_defaults() {
        let s: AppSettings =
            serde_json::from_value(json!({"receive": {"mode": "poll"}})).expect("parses");
        assert_eq!(s.receive.poll_interval_secs, 30);
        assert_eq!(s.connection, Connection::Sandbox);
        assert_eq!(s.notify, NotifySettings::default());
    }
}
