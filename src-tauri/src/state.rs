//! What the shell holds while it runs, managed by Tauri and reached with `app.state::<Shell>()`.
//! Locks are held only for a copy in or out; nothing here waits on the network or D-Bus.

use crate::connection::Connection;
use crate::notifier::ShellNotifier;
use crate::options::Options;
use crate::secrets::Secrets;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use taskbell_core::settings::{AppSettings, ReceiveMode, SandboxEndpoints};
use taskbell_core::status::{ConnectionKind, Pause, ReceiverView, StatusFacts};
use taskbell_core::Engine;
use ts_rs::TS;

/// The window's views, as `navigate` and the window's URL name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum View {
    #[serde(rename = "forme")]
    ForMe,
    New,
    History,
    Settings,
}

impl View {
    /// As the window names it.
    pub fn name(self) -> &'static str {
        match self {
            View::ForMe => "forme",
            View::New => "new",
            View::History => "history",
            View::Settings => "settings",
        }
    }
}

pub struct Paths {
    pub data_dir: PathBuf,
    pub config_dir: PathBuf,
}

impl Paths {
    pub fn database(&self) -> PathBuf {
        self.data_dir.join("taskbell.db")
    }

    pub fn settings_file(&self) -> PathBuf {
        self.config_dir.join("settings.json")
    }
}

/// What the running connection offers the commands, copied out so that a command never waits
/// for a restart (or a tunnel) to finish.
#[derive(Clone, Default)]
pub struct LiveInfo {
    /// The practitioner new tasks are requested by.
    pub requester: Option<String>,
    pub sandbox: Option<SandboxEndpoints>,
    pub webhook_port: Option<u16>,
}

pub struct Shell {
    pub engine: Engine,
    pub secrets: Secrets,
    pub paths: Paths,
    pub options: Options,
    /// `None` when a test supplied its own notifier.
    pub desktop: Option<Arc<ShellNotifier>>,
    /// The running receiver, sandbox and tunnel; replaced as a whole on restart.
    pub connection: tokio::sync::Mutex<Option<Connection>>,
    settings: RwLock<AppSettings>,
    facts: Mutex<StatusFacts>,
    live: RwLock<LiveInfo>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Shell {
    pub fn new(
        engine: Engine,
        secrets: Secrets,
        paths: Paths,
        settings: AppSettings,
        desktop: Option<Arc<ShellNotifier>>,
        options: Options,
    ) -> Self {
        let facts = StatusFacts {
            name: settings.display_name(),
            mode: if settings.is_sandbox() {
                ConnectionKind::Sandbox
            } else {
                ConnectionKind::Canvas
            },
            receive: settings.receive.mode,
            receiver: ReceiverView::Starting,
            tray_available: false,
            notifications_available: true,
            pause: Pause::Off,
            unread: 0,
            for_me: 0,
            local_webhook_url: None,
            public_webhook_url: None,
            incidents: Vec::new(),
        };
        Shell {
            engine,
            secrets,
            paths,
            options,
            desktop,
            connection: tokio::sync::Mutex::new(None),
            settings: RwLock::new(settings),
            facts: Mutex::new(facts),
            live: RwLock::new(LiveInfo::default()),
        }
    }

    /// The saved settings, without secrets.
    pub fn settings(&self) -> AppSettings {
        self.settings
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub fn set_settings(&self, s: AppSettings) {
        *self.settings.write().unwrap_or_else(|p| p.into_inner()) = s;
    }

    /// The settings as the window reads them: which secrets are stored, and where.
    pub async fn settings_for_window(&self) -> AppSettings {
        let stored = self.secrets.read().await;
        let mut s = self.settings();
        s.mark_stored(|n| stored.has(n), stored.backend());
        s
    }

    pub fn facts(&self) -> StatusFacts {
        lock(&self.facts).clone()
    }

    pub fn update_facts(&self, f: impl FnOnce(&mut StatusFacts)) {
        f(&mut lock(&self.facts));
    }

    pub fn live(&self) -> LiveInfo {
        self.live.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn set_live(&self, info: LiveInfo) {
        *self.live.write().unwrap_or_else(|p| p.into_inner()) = info;
    }

    pub fn receive_mode(&self) -> ReceiveMode {
        self.settings
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .receive
            .mode
    }
}
