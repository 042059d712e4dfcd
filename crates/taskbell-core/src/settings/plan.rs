//! Settings plus secrets become what the runtime starts with: a [`RuntimeConfig`], the
//! notification preferences, and who "me" is. A secret the chosen setup needs but nobody
//! stored is an error here, worded for the Settings view.

use super::validate::SettingsError;
use super::{AppSettings, CanvasConnection, Connection, ReceiveMode, SecretName};
use crate::canvas::CanvasConfig;
use crate::engine::NotifyPrefs;
use crate::inbox::socket::{SocketConfig, DEFAULT_PLUGIN};
use crate::inbox::webhook::WebhookConfig;
use crate::runtime::{Receive, RuntimeConfig};
use std::time::Duration;

/// The system tasks from the sandbox are filed under.
pub const SANDBOX_SYSTEM: &str = "sandbox";

/// Where the embedded sandbox listens and the credentials it was started with.
#[derive(Clone)]
pub struct SandboxEndpoints {
    pub fhir_base: String,
    pub token_url: String,
    pub client_id: String,
    pub client_secret: String,
    pub socket_url: String,
    pub socket_api_key: String,
    /// The practitioner the sandbox's tasks are requested by.
    pub requester: String,
    /// The secret the sandbox signs webhooks with, when it was told to send them.
    pub webhook_secret: Option<String>,
}

pub struct RuntimePlan {
    pub config: RuntimeConfig,
    pub prefs: NotifyPrefs,
    pub sound: bool,
    /// This user's practitioner id: tasks they requested or are assigned notify in scope "mine".
    pub me: Option<String>,
    /// How the status line names the connection: "Sandbox", the instance, or the FHIR host.
    pub name: String,
}

fn missing(field: &'static str, what: &str) -> SettingsError {
    SettingsError::new(field, format!("Enter the {what}: none is stored yet"))
}

/// The task system for a Canvas connection: its instance name, else its FHIR host.
pub(crate) fn canvas_system(c: &CanvasConnection) -> String {
    let instance = c.instance.trim();
    if !instance.is_empty() {
        return instance.to_string();
    }
    url::Url::parse(c.fhir_base.trim())
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_else(|| "canvas".into())
}

fn canvas_config(
    c: &CanvasConnection,
    secret: Option<String>,
) -> Result<CanvasConfig, SettingsError> {
    let secret = secret.ok_or_else(|| missing("client_secret", "client secret"))?;
    let instance = c.instance.trim();
    let made = if instance.is_empty() {
        CanvasConfig::with_urls(
            &canvas_system(c),
            &c.fhir_base,
            &c.token_url,
            &c.client_id,
            &secret,
        )
    } else {
        CanvasConfig::for_instance(instance, &c.client_id, &secret)
    };
    made.map_err(|e| SettingsError::new("connection", e.to_string()))
}

impl AppSettings {
    /// Turns valid settings into a runtime setup. `secret` reads a stored secret; `sandbox` is
    /// the running sandbox, required when the connection is the sandbox.
    pub fn plan(
        &self,
        secret: impl Fn(SecretName) -> Option<String>,
        sandbox: Option<&SandboxEndpoints>,
    ) -> Result<RuntimePlan, SettingsError> {
        self.validate()?;
        let r = &self.receive;
        let (canvas, system, name, me, socket) = match (&self.connection, sandbox) {
            (Connection::Sandbox, Some(sb)) => {
                let cfg = CanvasConfig::with_urls(
                    SANDBOX_SYSTEM,
                    &sb.fhir_base,
                    &sb.token_url,
                    &sb.client_id,
                    &sb.client_secret,
                )
                .map_err(|e| SettingsError::new("connection", e.to_string()))?;
                (
                    cfg,
                    SANDBOX_SYSTEM.to_string(),
                    "Sandbox".to_string(),
                    sb.requester.clone(),
                    Some((sb.socket_url.clone(), sb.socket_api_key.clone())),
                )
            }
            (Connection::Sandbox, None) => {
                return Err(SettingsError::new(
                    "connection",
                    "The sandbox is not running",
                ));
            }
            (Connection::Canvas(c), _) => {
                let cfg = canvas_config(c, secret(SecretName::ClientSecret))?;
                let system = canvas_system(c);
                let socket = match r.mode {
                    ReceiveMode::Live => {
                        let key = secret(SecretName::SocketApiKey).ok_or_else(|| {
                            missing("socket_api_key", "plugin's api key (SOCKET_API_KEY)")
                        })?;
                        Some((live_url(c, &r.socket_url, &r.socket_channel, &key)?, key))
                    }
                    _ => None,
                };
                (
                    cfg,
                    system.clone(),
                    system,
                    c.requester.trim().to_string(),
                    socket,
                )
            }
        };
        let receive = match r.mode {
            ReceiveMode::Live => {
                let (url, api_key) =
                    socket.ok_or_else(|| missing("socket_url", "plugin's WebSocket URL"))?;
                Receive::Live { url, api_key }
            }
            ReceiveMode::Webhook => {
                let mut w = WebhookConfig::new(system);
                w.port = r.webhook_port as u16;
                w.secret = secret(SecretName::WebhookSecret)
                    .or_else(|| sandbox.and_then(|sb| sb.webhook_secret.clone()));
                w.bearer = secret(SecretName::WebhookToken);
                Receive::Webhook(w)
            }
            ReceiveMode::Poll => Receive::Poll,
        };
        let mut config = RuntimeConfig::new(Some(canvas), receive);
        config.poll_every = Duration::from_secs(r.poll_interval_secs.max(super::MIN_POLL_SECS));
        Ok(RuntimePlan {
            config,
            prefs: self.notify_prefs(),
            sound: self.notify.sound,
            me: Some(me).filter(|m| !m.is_empty()),
            name,
        })
    }
}

/// The plugin channel for a Canvas connection: the URL the user gave, else the instance's own.
fn live_url(
    c: &CanvasConnection,
    given: &str,
    channel: &str,
    key: &str,
) -> Result<String, SettingsError> {
    let cfg = if given.trim().is_empty() {
        SocketConfig::for_instance(c.instance.trim(), DEFAULT_PLUGIN, channel.trim(), key)
    } else {
        SocketConfig::new(&canvas_system(c), given, key)
    };
    cfg.map(|s| s.channel_url().to_string())
        .map_err(|e| SettingsError::new("socket_url", e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::super::{NotifySettings, SecretsBackend};
    use super::*;
    use crate::engine::NotifyScope;
    use crate::task::EventKind;

    fn sandbox() -> SandboxEndpoints {
        SandboxEndpoints {
            fhir_base: "http://127.0.0.1:9/fhir".into(),
            token_url: "http://127.0.0.1:9/auth/token/".into(),
            client_id: "sandbox-client".into(),
            client_secret: "sandbox-secret".into(),
            socket_url: "ws://127.0.0.1:9/plugin-io/ws/taskbell_relay/taskbell/".into(),
            socket_api_key: "k".into(),
            requester: "req-1".into(),
            webhook_secret: Some("whsec_c2FuZGJveA==".into()),
        }
    }

    fn demo() -> AppSettings {
        AppSettings {
            connection: Connection::Canvas(CanvasConnection {
                instance: "demo".into(),
                client_id: "id".into(),
                requester: "p1".into(),
                ..Default::default()
            }),
            secrets_backend: SecretsBackend::File,
            ..Default::default()
        }
    }

    #[test]
    fn required_secrets_follow_the_connection_and_mode() {
        assert!(AppSettings::default().required_secrets().is_empty());
        let mut s = demo();
        assert_eq!(
            s.required_secrets(),
            vec![SecretName::ClientSecret, SecretName::SocketApiKey]
        );
        s.receive.mode = ReceiveMode::Webhook;
        assert_eq!(s.required_secrets(), vec![SecretName::ClientSecret]);
        assert_eq!(
            s.check_secrets(|_| false).err().map(|e| e.field),
            Some("client_secret")
        );
        assert_eq!(s.check_secrets(|_| true), Ok(()));
    }

    fn none(_: SecretName) -> Option<String> {
        None
    }

    #[test]
    fn the_sandbox_is_heard_live_on_its_own_socket_as_its_requester() {
        let plan = AppSettings::default()
            .plan(none, Some(&sandbox()))
            .expect("plans");
        assert_eq!(plan.name, "Sandbox");
        assert_eq!(plan.me.as_deref(), Some("req-1"));
        assert_eq!(
            plan.config.canvas.as_ref().map(|c| c.system.as_str()),
            Some("sandbox")
        );
        match &plan.config.receive {
            Receive::Live { url, api_key } => assert_eq!(
                (url.as_str(), api_key.as_str()),
                (sandbox().socket_url.as_str(), "k")
            ),
            other => panic!("expected live, got {other:?}"),
        }
        assert!(AppSettings::default().plan(none, None).is_err());
    }

    #[test]
    fn a_canvas_instance_needs_its_secrets_and_derives_its_socket() {
        let s = demo();
        assert_eq!(
            s.plan(none, None).err().map(|e| e.field),
            Some("client_secret")
        );
        let only_client = |n| (n == SecretName::ClientSecret).then(|| "cs".to_string());
        assert_eq!(
            s.plan(only_client, None).err().map(|e| e.field),
            Some("socket_api_key")
        );
        let both = |n| match n {
            SecretName::ClientSecret => Some("cs".to_string()),
            SecretName::SocketApiKey => Some("key".to_string()),
            _ => None,
        };
        let plan = s.plan(both, None).expect("plans");
        assert_eq!(plan.name, "demo");
        match &plan.config.receive {
            Receive::Live { url, .. } => {
                assert_eq!(
                    url,
                    "wss://demo.canvasmedical.com/plugin-io/ws/taskbell_relay/taskbell/"
                )
            }
            other => panic!("expected live, got {other:?}"),
        }
        let c = plan.config.canvas.expect("canvas");
        assert_eq!(
            c.token_url.as_str(),
            "https://demo.canvasmedical.com/auth/token/"
        );
    }

    #[test]
    fn poll_and_webhook_modes_carry_their_numbers_and_prefs() {
        let mut s = demo();
        s.receive.mode = ReceiveMode::Poll;
        s.receive.poll_interval_secs = 45;
        s.notify = NotifySettings {
            scope: NotifyScope::Everyone,
            kinds: vec![EventKind::Completed],
            show_patient: true,
            sound: false,
            ..NotifySettings::default()
        };
        let cs = |n| (n == SecretName::ClientSecret).then(|| "cs".to_string());
        let plan = s.plan(cs, None).expect("plans");
        assert!(matches!(plan.config.receive, Receive::Poll));
        assert_eq!(plan.config.poll_every, Duration::from_secs(45));
        assert_eq!(plan.prefs.scope, NotifyScope::Everyone);
        assert!(plan.prefs.show_patient && !plan.sound);

        let mut s = AppSettings::default();
        s.receive.mode = ReceiveMode::Webhook;
        s.receive.webhook_port = 9000;
        let plan = s.plan(none, Some(&sandbox())).expect("plans");
        match &plan.config.receive {
            Receive::Webhook(w) => {
                assert_eq!((w.port, w.system.as_str()), (9000, "sandbox"));
                assert_eq!(
                    w.secret,
                    sandbox().webhook_secret,
                    "the sandbox's own signing secret"
                );
            }
            other => panic!("expected webhook, got {other:?}"),
        }
    }

    #[test]
    fn full_urls_file_tasks_under_the_fhir_host() {
        let mut s = demo();
        let Connection::Canvas(c) = &mut s.connection else {
            unreachable!()
        };
        c.instance = String::new();
        c.fhir_base = "https://fhir.clinic.example".into();
        c.token_url = "https://ehr.clinic.example/auth/token/".into();
        s.receive.mode = ReceiveMode::Poll;
        let plan = s.plan(|_| Some("x".into()), None).expect("plans");
        assert_eq!(plan.name, "fhir.clinic.example");
        assert_eq!(
            plan.config.canvas.map(|c| c.system),
            Some("fhir.clinic.example".into())
        );
    }
}
