//! What makes a settings document usable, each problem said in one line the Settings view can
//! show as it is. The window checks the same things as the user types; this is the check that
//! counts, since settings.json can also be edited by hand.

use super::{AppSettings, CanvasConnection, Connection, ReceiveMode, MIN_POLL_SECS};
use crate::engine::minute_of_day;

/// A week: a reminder earlier than that is not a reminder.
const MAX_LEAD_MINUTES: u32 = 7 * 24 * 60;
use url::Url;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SettingsError {
    /// The field at fault, named as in the JSON document.
    pub field: &'static str,
    pub message: String,
}

impl SettingsError {
    pub(crate) fn new(field: &'static str, message: impl Into<String>) -> Self {
        SettingsError {
            field,
            message: message.into(),
        }
    }
}

/// A Canvas instance name is one DNS label: the part before `.canvasmedical.com`.
pub(crate) fn is_instance_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && !s.starts_with('-')
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// Canvas's rule for channel names, `[\w-]+`.
pub(crate) fn is_channel_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn url_with_scheme(
    field: &'static str,
    what: &str,
    value: &str,
    schemes: &[&str],
) -> Result<(), SettingsError> {
    let example = format!("{}://…", schemes[schemes.len() - 1]);
    let url = Url::parse(value.trim()).map_err(|_| {
        SettingsError::new(
            field,
            format!("The {what} must be a full URL starting with {example}"),
        )
    })?;
    let has_host = matches!(url.host_str(), Some(h) if !h.is_empty());
    if !schemes.contains(&url.scheme()) || !has_host {
        return Err(SettingsError::new(
            field,
            format!("The {what} must be a full URL starting with {example}"),
        ));
    }
    Ok(())
}

fn check_canvas(c: &CanvasConnection) -> Result<(), SettingsError> {
    let instance = c.instance.trim();
    if instance.is_empty() {
        url_with_scheme(
            "fhir_base",
            "FHIR base URL",
            &c.fhir_base,
            &["http", "https"],
        )?;
        url_with_scheme("token_url", "token URL", &c.token_url, &["http", "https"])?;
    } else if !is_instance_name(instance) {
        return Err(SettingsError::new(
            "instance",
            format!("\"{instance}\" is not a Canvas instance name: use the part before .canvasmedical.com (lowercase letters, digits and hyphens)"),
        ));
    }
    if c.client_id.trim().is_empty() {
        return Err(SettingsError::new(
            "client_id",
            "Enter the client id from Canvas's API credentials",
        ));
    }
    if c.requester.trim().is_empty() {
        return Err(SettingsError::new(
            "requester",
            "Enter your practitioner id: tasks are requested in your name",
        ));
    }
    Ok(())
}

impl AppSettings {
    /// Checks the document's shape. Whether the secrets it needs are stored is checked when it
    /// is turned into a [`RuntimePlan`](super::RuntimePlan).
    pub fn validate(&self) -> Result<(), SettingsError> {
        let canvas = match &self.connection {
            Connection::Canvas(c) => {
                check_canvas(c)?;
                Some(c)
            }
            Connection::Sandbox => None,
        };
        let r = &self.receive;
        match r.mode {
            ReceiveMode::Live => {
                if !is_channel_name(r.socket_channel.trim()) {
                    return Err(SettingsError::new(
                        "socket_channel",
                        "The channel may hold only letters, digits, \"_\" and \"-\" (the plugin's CHANNEL, \"taskbell\" by default)",
                    ));
                }
                if !r.socket_url.trim().is_empty() {
                    url_with_scheme(
                        "socket_url",
                        "plugin WebSocket URL",
                        &r.socket_url,
                        &["ws", "wss"],
                    )?;
                } else if canvas.is_some_and(|c| c.instance.trim().is_empty()) {
                    return Err(SettingsError::new(
                        "socket_url",
                        "Live mode needs the plugin's WebSocket URL when Canvas is given by full URLs",
                    ));
                }
            }
            ReceiveMode::Webhook => {
                if !(1024..=65535).contains(&r.webhook_port) {
                    return Err(SettingsError::new(
                        "webhook_port",
                        "The webhook port must be between 1024 and 65535",
                    ));
                }
                if !r.public_url.trim().is_empty() {
                    url_with_scheme(
                        "public_url",
                        "public URL",
                        &r.public_url,
                        &["http", "https"],
                    )?;
                }
            }
            ReceiveMode::Poll => {
                if r.poll_interval_secs < MIN_POLL_SECS {
                    return Err(SettingsError::new(
                        "poll_interval_secs",
                        format!("Poll every {MIN_POLL_SECS} seconds or more"),
                    ));
                }
            }
        }
        self.check_notify()
    }

    fn check_notify(&self) -> Result<(), SettingsError> {
        let n = &self.notify;
        if n.due_soon_minutes
            .is_some_and(|m| !(1..=MAX_LEAD_MINUTES).contains(&m))
        {
            return Err(SettingsError::new(
                "due_soon_minutes",
                "Remind between 1 minute and 7 days (10080 minutes) before the due time, or turn the reminder off",
            ));
        }
        if let Some(q) = &n.quiet_hours {
            for (field, value) in [("quiet_hours.start", &q.start), ("quiet_hours.end", &q.end)] {
                if minute_of_day(value).is_none() {
                    return Err(SettingsError::new(
                        field,
                        format!("Quiet hours take a time as HH:MM, 24-hour (for example 18:00), not {value:?}"),
                    ));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canvas() -> AppSettings {
        AppSettings {
            connection: Connection::Canvas(CanvasConnection {
                instance: "demo-clinic".into(),
                client_id: "id".into(),
                requester: "p1".into(),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    fn field(s: &AppSettings) -> &'static str {
        s.validate().expect_err("should be refused").field
    }

    #[test]
    fn defaults_and_a_named_instance_pass() {
        assert_eq!(AppSettings::default().validate(), Ok(()));
        assert_eq!(canvas().validate(), Ok(()));
    }

    #[test]
    fn instance_names_and_urls_are_checked() {
        let mut s = canvas();
        let Connection::Canvas(c) = &mut s.connection else {
            unreachable!()
        };
        c.instance = "Demo Clinic".into();
        assert_eq!(field(&s), "instance");
        let Connection::Canvas(c) = &mut s.connection else {
            unreachable!()
        };
        c.instance = String::new();
        c.fhir_base = "fumage-demo.canvasmedical.com".into();
        c.token_url = "https://demo.canvasmedical.com/auth/token/".into();
        s.receive.socket_url =
            "wss://demo.canvasmedical.com/plugin-io/ws/taskbell_relay/taskbell/".into();
        let e = s.validate().expect_err("no scheme");
        assert_eq!(e.field, "fhir_base");
        assert_eq!(
            e.to_string(),
            "The FHIR base URL must be a full URL starting with https://…"
        );
        let Connection::Canvas(c) = &mut s.connection else {
            unreachable!()
        };
        c.fhir_base = "https://fumage-demo.canvasmedical.com".into();
        assert_eq!(s.validate(), Ok(()));
        s.receive.socket_url = String::new();
        assert_eq!(
            field(&s),
            "socket_url",
            "full URLs give no socket address to derive"
        );
        s.receive.socket_url = "https://x".into();
        assert_eq!(field(&s), "socket_url");
    }

    #[test]
    fn receive_limits_are_enforced() {
        let mut s = AppSettings::default();
        s.receive.socket_channel = "task bell".into();
        assert_eq!(field(&s), "socket_channel");
        s.receive.mode = ReceiveMode::Webhook;
        s.receive.webhook_port = 80;
        assert_eq!(field(&s), "webhook_port");
        s.receive.webhook_port = 70000;
        assert_eq!(field(&s), "webhook_port");
        s.receive.webhook_port = 8787;
        s.receive.public_url = "nope".into();
        assert_eq!(field(&s), "public_url");
        s.receive.mode = ReceiveMode::Poll;
        s.receive.poll_interval_secs = 9;
        assert_eq!(
            s.validate().expect_err("too often").to_string(),
            "Poll every 10 seconds or more"
        );
        s.receive.poll_interval_secs = 10;
        assert_eq!(s.validate(), Ok(()));
    }

    #[test]
    fn canvas_needs_a_client_and_a_requester() {
        let mut s = canvas();
        let Connection::Canvas(c) = &mut s.connection else {
            unreachable!()
        };
        c.requester = " ".into();
        assert_eq!(field(&s), "requester");
        let Connection::Canvas(c) = &mut s.connection else {
            unreachable!()
        };
        c.client_id = String::new();
        assert_eq!(field(&s), "client_id");
    }

    #[test]
    fn reminders_and_quiet_hours_are_checked() {
        let mut s = canvas();
        s.notify.due_soon_minutes = Some(0);
        assert_eq!(field(&s), "due_soon_minutes");
        s.notify.due_soon_minutes = None;
        s.notify.quiet_hours = Some(crate::engine::QuietHours {
            start: "18:00".into(),
            end: "8am".into(),
        });
        assert_eq!(field(&s), "quiet_hours.end");
        s.notify.quiet_hours = Some(crate::engine::QuietHours {
            start: "18:00".into(),
            end: "08:00".into(),
        });
        assert_eq!(s.validate(), Ok(()));
    }
}
