//! What the tray's status line and the window's status bar say, composed from plain facts so
//! the wording is tested here rather than eyeballed in a tray: "Sandbox · live",
//! "demo-clinic · polling every 30 s", "Offline — retrying in 20 s", with
//! " · notifications paused" when they are, and a few words when a background task had to be
//! restarted ("Sandbox · live · the poller stopped unexpectedly and was restarted").

use crate::inbox::socket::SocketState;
use crate::settings::ReceiveMode;
use crate::supervisor::Incident;
use serde::Serialize;
use ts_rs::TS;

/// How changes are arriving right now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReceiverView {
    /// The runtime is being (re)started.
    Starting,
    Connecting,
    Live,
    Retrying {
        in_secs: u64,
    },
    /// The plugin refused the api key.
    Refused,
    Polling {
        every_secs: u64,
    },
    Listening {
        url: String,
    },
    /// The runtime could not start; the reason is one sentence.
    Failed {
        reason: String,
    },
}

impl ReceiverView {
    pub fn from_socket(s: &SocketState) -> Self {
        match s {
            SocketState::Connecting => ReceiverView::Connecting,
            SocketState::Connected { .. } => ReceiverView::Live,
            SocketState::Reconnecting { in_secs, .. } => {
                ReceiverView::Retrying { in_secs: *in_secs }
            }
            SocketState::Unauthorised { .. } => ReceiverView::Refused,
            SocketState::Stopped => ReceiverView::Starting,
        }
    }

    /// A few words for the status bar's detail: "live", "reconnecting in 20 s".
    pub fn words(&self) -> String {
        match self {
            ReceiverView::Starting => "starting".into(),
            ReceiverView::Connecting => "connecting".into(),
            ReceiverView::Live => "live".into(),
            ReceiverView::Retrying { in_secs } => format!("reconnecting in {in_secs} s"),
            ReceiverView::Refused => "the plugin refused the api key".into(),
            ReceiverView::Polling { every_secs } => format!("polling every {every_secs} s"),
            ReceiverView::Listening { url } => format!("listening on {url}"),
            ReceiverView::Failed { reason } => reason.clone(),
        }
    }
}

/// Notifications silenced: until a time (Unix ms) or until resumed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pause {
    #[default]
    Off,
    Until(i64),
    UntilResumed,
}

impl Pause {
    pub fn is_active(self, now_ms: i64) -> bool {
        match self {
            Pause::Off => false,
            Pause::Until(t) => now_ms < t,
            Pause::UntilResumed => true,
        }
    }

    /// As the window reads it: `null` when not paused, -1 when paused until resumed.
    pub fn as_millis(self, now_ms: i64) -> Option<i64> {
        match self {
            Pause::Until(t) if now_ms < t => Some(t),
            Pause::UntilResumed => Some(-1),
            _ => None,
        }
    }
}

/// The tray's status line.
pub fn status_line(name: &str, receiver: &ReceiverView, paused: bool) -> String {
    line_with(name, receiver, paused, None)
}

/// Background tasks restarted after ending on their own, in a few words; `None` when there
/// were none.
pub fn incident_words(incidents: &[Incident]) -> Option<String> {
    match incidents {
        [] => None,
        [one] => Some(one.to_string()),
        [first @ .., last] => {
            let names: Vec<&str> = first.iter().map(|i| i.task).collect();
            Some(format!(
                "{} and {} stopped unexpectedly and were restarted",
                names.join(", "),
                last.task
            ))
        }
    }
}

fn line_with(name: &str, receiver: &ReceiverView, paused: bool, incident: Option<&str>) -> String {
    let mut line = match receiver {
        ReceiverView::Retrying { in_secs } => format!("Offline — retrying in {in_secs} s"),
        ReceiverView::Failed { reason } => format!("Not connected — {reason}"),
        ReceiverView::Listening { .. } => format!("{name} · webhook"),
        ReceiverView::Refused => format!("{name} · plugin refused the key"),
        other => format!("{name} · {}", other.words()),
    };
    if let Some(words) = incident {
        line.push_str(" · ");
        line.push_str(words);
    }
    if paused {
        line.push_str(" · notifications paused");
    }
    line
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum ConnectionKind {
    Sandbox,
    Canvas,
}

impl ConnectionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectionKind::Sandbox => "sandbox",
            ConnectionKind::Canvas => "canvas",
        }
    }
}

/// The shell's status as the window reads it (`get_status`, and `status-changed`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AppStatus {
    /// The tray's status line, e.g. "Sandbox · live", "demo-clinic · polling every 30 s".
    pub line: String,
    pub mode: ConnectionKind,
    pub receive: ReceiveMode,
    /// Short words about the receiver: "live", "reconnecting in 20 s",
    /// "listening on http://127.0.0.1:8787".
    pub receiver_state: String,
    pub tray_available: bool,
    pub notifications_available: bool,
    /// Until when notifications are paused (Unix ms), -1 until resumed; null when not paused.
    pub paused_until: Option<i64>,
    /// Unread notices: what the tray counts.
    pub unread: u32,
    /// Open tasks of this user and their teams.
    pub for_me: u32,
    /// The local webhook URL, always shown in webhook mode.
    pub local_webhook_url: Option<String>,
    pub public_webhook_url: Option<String>,
}

/// Everything the status is made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusFacts {
    pub name: String,
    pub mode: ConnectionKind,
    pub receive: ReceiveMode,
    pub receiver: ReceiverView,
    pub tray_available: bool,
    pub notifications_available: bool,
    pub pause: Pause,
    pub unread: u32,
    pub for_me: u32,
    pub local_webhook_url: Option<String>,
    pub public_webhook_url: Option<String>,
    /// The runtime's restarted tasks ([`Runtime::incidents`](crate::runtime::Runtime::incidents)).
    pub incidents: Vec<Incident>,
}

impl StatusFacts {
    pub fn compose(&self, now_ms: i64) -> AppStatus {
        let incident = incident_words(&self.incidents);
        AppStatus {
            line: line_with(
                &self.name,
                &self.receiver,
                self.pause.is_active(now_ms),
                incident.as_deref(),
            ),
            mode: self.mode,
            receive: self.receive,
            receiver_state: self.receiver.words(),
            tray_available: self.tray_available,
            notifications_available: self.notifications_available,
            paused_until: self.pause.as_millis(now_ms),
            unread: self.unread,
            for_me: self.for_me,
            local_webhook_url: self.local_webhook_url.clone(),
            public_webhook_url: self.public_webhook_url.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_read_as_the_tray_shows_them() {
        assert_eq!(
            status_line("Sandbox", &ReceiverView::Live, false),
            "Sandbox · live"
        );
        assert_eq!(
            status_line(
                "demo-clinic",
                &ReceiverView::Polling { every_secs: 30 },
                false
            ),
            "demo-clinic · polling every 30 s"
        );
        assert_eq!(
            status_line("demo", &ReceiverView::Retrying { in_secs: 20 }, false),
            "Offline — retrying in 20 s"
        );
        assert_eq!(
            status_line("Sandbox", &ReceiverView::Live, true),
            "Sandbox · live · notifications paused"
        );
        assert_eq!(
            status_line(
                "demo",
                &ReceiverView::Listening {
                    url: "http://127.0.0.1:8787".into()
                },
                false
            ),
            "demo · webhook"
        );
        assert_eq!(
            status_line(
                "demo",
                &ReceiverView::Failed {
                    reason: "port 8787 is taken".into()
                },
                false
            ),
            "Not connected — port 8787 is taken"
        );
        assert_eq!(
            status_line("Sandbox", &ReceiverView::Connecting, false),
            "Sandbox · connecting"
        );
    }

    #[test]
    fn socket_states_map_to_views_and_words() {
        let r = ReceiverView::from_socket(&SocketState::Reconnecting {
            in_secs: 20,
            attempt: 2,
            last_error: "x".into(),
        });
        assert_eq!(r, ReceiverView::Retrying { in_secs: 20 });
        assert_eq!(r.words(), "reconnecting in 20 s");
        let live = SocketState::Connected {
            since: time::OffsetDateTime::UNIX_EPOCH,
        };
        assert_eq!(ReceiverView::from_socket(&live).words(), "live");
        assert_eq!(
            ReceiverView::Listening {
                url: "http://127.0.0.1:8787".into()
            }
            .words(),
            "listening on http://127.0.0.1:8787"
        );
    }

    #[test]
    fn a_pause_ends_by_itself_or_when_resumed() {
        assert_eq!(Pause::Until(1_000).as_millis(999), Some(1_000));
        assert!(!Pause::Until(1_000).is_active(1_000));
        assert_eq!(Pause::Until(1_000).as_millis(1_000), None);
        assert_eq!(Pause::UntilResumed.as_millis(5), Some(-1));
        assert_eq!(Pause::Off.as_millis(5), None);
    }

    #[test]
    fn the_status_is_composed_from_facts() {
        let facts = StatusFacts {
            name: "Sandbox".into(),
            mode: ConnectionKind::Sandbox,
            receive: ReceiveMode::Live,
            receiver: ReceiverView::Live,
            tray_available: false,
            notifications_available: true,
            pause: Pause::UntilResumed,
            unread: 2,
            for_me: 3,
            local_webhook_url: None,
            public_webhook_url: None,
            incidents: Vec::new(),
        };
        let v = serde_json::to_value(facts.compose(0)).expect("serializes");
        assert_eq!(
            v,
            serde_json::json!({
                "line": "Sandbox · live · notifications paused", "mode": "sandbox", "receive": "live",
                "receiver_state": "live", "tray_available": false, "notifications_available": true,
                "paused_until": -1, "unread": 2, "for_me": 3, "local_webhook_url": null, "public_webhook_url": null
            })
        );
    }

    #[test]
    fn a_restarted_task_is_told_in_the_line() {
        use crate::supervisor::Ending;
        let poller = Incident {
            task: "the poller",
            ending: Ending::Returned,
            restarts: 1,
            at_ms: 0,
        };
        let outbox = Incident {
            task: "the outbox",
            ending: Ending::Panicked,
            restarts: 2,
            at_ms: 0,
        };
        let channel = Incident {
            task: "the plugin channel",
            ..outbox.clone()
        };
        assert_eq!(incident_words(&[]), None);
        assert_eq!(
            incident_words(&[poller.clone(), outbox.clone(), channel]).as_deref(),
            Some("the poller, the outbox and the plugin channel stopped unexpectedly and were restarted")
        );
        let mut facts = StatusFacts {
            name: "Sandbox".into(),
            mode: ConnectionKind::Sandbox,
            receive: ReceiveMode::Live,
            receiver: ReceiverView::Live,
            tray_available: true,
            notifications_available: true,
            pause: Pause::UntilResumed,
            unread: 0,
            for_me: 0,
            local_webhook_url: None,
            public_webhook_url: None,
            incidents: vec![poller],
        };
        assert_eq!(
            facts.compose(0).line,
            "Sandbox · live · the poller stopped unexpectedly and was restarted · notifications paused"
        );
        facts.incidents = vec![outbox];
        facts.pause = Pause::Off;
        assert_eq!(
            facts.compose(0).line,
            "Sandbox · live · the outbox failed and was restarted (2 times)"
        );
    }
}
