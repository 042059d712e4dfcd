//! The running connection: the embedded sandbox (when no Canvas is configured), core's
//! [`Runtime`] with the receiver the settings chose, watchers that mirror the live socket's
//! state and the runtime's restarted tasks into the status line, and the tunnel if one was
//! started. Started at launch and
//! replaced whole when the connection settings change.

use crate::secrets::Stored;
use crate::state::{LiveInfo, Shell};
use crate::status;
use canvas_sandbox::{Sandbox, SandboxConfig, WebhookTarget};
use std::time::Duration;
use taskbell_core::inbox::socket::SocketState;
use taskbell_core::inbox::tunnel::{self, Tunnel, TunnelOptions};
use taskbell_core::runtime::Runtime;
use taskbell_core::secrets::new_webhook_secret;
use taskbell_core::settings::{AppSettings, ReceiveMode, SandboxEndpoints, SecretName};
use taskbell_core::status::{ConnectionKind, ReceiverView};
use taskbell_core::supervisor::Incident;
use tauri::{AppHandle, Manager, Runtime as TauriRuntime};
use tokio::sync::watch;

pub struct Connection {
    runtime: Runtime,
    sandbox: Option<Sandbox>,
    tunnel: Option<Tunnel>,
    watcher: Option<tauri::async_runtime::JoinHandle<()>>,
    incident_watcher: tauri::async_runtime::JoinHandle<()>,
}

impl Connection {
    async fn stop(self) {
        if let Some(w) = self.watcher {
            w.abort();
        }
        self.incident_watcher.abort();
        if let Some(t) = self.tunnel {
            t.stop().await;
        }
        self.runtime.shutdown().await;
        if let Some(sb) = self.sandbox {
            sb.shutdown().await;
        }
    }
}

/// Stops whatever runs and starts what the saved settings describe. A failure to start is
/// shown in the status line; the app stays up so the user can fix the settings.
pub async fn restart<R: TauriRuntime>(app: AppHandle<R>) {
    let shell = app.state::<Shell>();
    let mut slot = shell.connection.lock().await;
    if let Some(old) = slot.take() {
        old.stop().await;
    }
    shell.engine.set_canvas(None);
    shell.set_live(LiveInfo::default());
    let settings = shell.settings();
    status::update(&app, |f| {
        f.name = settings.display_name();
        f.mode = if settings.is_sandbox() {
            ConnectionKind::Sandbox
        } else {
            ConnectionKind::Canvas
        };
        f.receive = settings.receive.mode;
        f.receiver = ReceiverView::Starting;
        f.incidents = Vec::new();
        f.local_webhook_url = None;
        f.public_webhook_url =
            Some(settings.receive.public_url.trim().to_string()).filter(|u| !u.is_empty());
    });
    match open(&app, &shell, &settings).await {
        Ok(conn) => *slot = Some(conn),
        Err(reason) => {
            tracing::warn!("not connected: {reason}");
            status::update(&app, |f| f.receiver = ReceiverView::Failed { reason });
        }
    }
}

/// Stops everything, for Quit.
pub async fn stop<R: TauriRuntime>(app: &AppHandle<R>) {
    let Some(shell) = app.try_state::<Shell>() else {
        return;
    };
    let conn = shell.connection.lock().await.take();
    if let Some(conn) = conn {
        conn.stop().await;
    }
}

async fn open<R: TauriRuntime>(
    app: &AppHandle<R>,
    shell: &Shell,
    settings: &AppSettings,
) -> Result<Connection, String> {
    let stored = shell.secrets.read().await;
    let sandbox = match settings.is_sandbox() {
        true => Some(start_sandbox(shell, settings, &stored).await?),
        false => None,
    };
    let endpoints = sandbox
        .as_ref()
        .map(|(sb, secret)| endpoints(sb, secret.clone()));
    let sandbox = sandbox.map(|(sb, _)| sb);
    let started = async {
        let plan = settings
            .plan(|n| stored.get(n), endpoints.as_ref())
            .map_err(|e| e.message)?;
        shell.engine.set_prefs(plan.prefs.clone());
        shell.engine.set_me(plan.me.clone());
        if let Some(d) = &shell.desktop {
            d.set_sound(plan.sound);
        }
        let runtime = Runtime::start(shell.engine.clone(), plan.config)
            .await
            .map_err(|e| e.to_string())?;
        Ok::<_, String>((runtime, plan.me))
    };
    let (runtime, me) = match started.await {
        Ok(r) => r,
        Err(e) => {
            if let Some(sb) = sandbox {
                sb.shutdown().await;
            }
            return Err(e);
        }
    };
    let webhook_url = runtime.webhook_url();
    shell.set_live(LiveInfo {
        requester: me,
        sandbox: endpoints,
        webhook_port: webhook_url
            .as_ref()
            .map(|_| settings.receive.webhook_port as u16),
    });
    let watcher = match runtime.socket_state() {
        Some(state) => Some(tauri::async_runtime::spawn(watch_socket(
            app.clone(),
            state,
        ))),
        None => {
            let receiver = match &webhook_url {
                Some(url) => ReceiverView::Listening { url: url.clone() },
                None => ReceiverView::Polling {
                    every_secs: settings.receive.poll_interval_secs,
                },
            };
            status::update(app, |f| {
                f.receiver = receiver;
                f.local_webhook_url = webhook_url;
            });
            None
        }
    };
    let incident_watcher =
        tauri::async_runtime::spawn(watch_incidents(app.clone(), runtime.incidents()));
    tracing::info!(
        system = runtime.system(),
        "connected: {}",
        runtime.receiver_state()
    );
    Ok(Connection {
        runtime,
        sandbox,
        tunnel: None,
        watcher,
        incident_watcher,
    })
}

/// The sandbox, signing webhooks to our endpoint when the user chose webhook mode (with their
/// secret, or one made up for the purpose).
async fn start_sandbox(
    shell: &Shell,
    settings: &AppSettings,
    stored: &Stored,
) -> Result<(Sandbox, Option<String>), String> {
    let webhook = (settings.receive.mode == ReceiveMode::Webhook).then(|| WebhookTarget {
        url: format!(
            "http://127.0.0.1:{}/hooks/canvas",
            settings.receive.webhook_port
        ),
        secret: stored
            .get(SecretName::WebhookSecret)
            .unwrap_or_else(new_webhook_secret),
        bearer: stored.get(SecretName::WebhookToken),
    });
    let secret = webhook.as_ref().map(|w| w.secret.clone());
    let config = SandboxConfig {
        port: 0,
        staff_delay: Some(shell.options.staff_delay),
        handout: shell.options.handout,
        webhook,
        ..Default::default()
    };
    let sb = Sandbox::start(config)
        .await
        .map_err(|e| format!("the sandbox could not start: {e}"))?;
    tracing::info!("sandbox on {}", sb.base_url());
    Ok((sb, secret))
}

fn endpoints(sb: &Sandbox, webhook_secret: Option<String>) -> SandboxEndpoints {
    let c = sb.config();
    SandboxEndpoints {
        fhir_base: sb.fhir_base(),
        token_url: sb.token_url(),
        client_id: c.client_id.clone(),
        client_secret: c.client_secret.clone(),
        socket_url: sb.ws_url(),
        socket_api_key: c.socket_api_key.clone(),
        requester: sb.clinic().requester,
        webhook_secret,
    }
}

async fn watch_socket<R: TauriRuntime>(app: AppHandle<R>, mut state: watch::Receiver<SocketState>) {
    loop {
        let view = ReceiverView::from_socket(&state.borrow_and_update());
        status::update(&app, |f| f.receiver = view);
        if state.changed().await.is_err() {
            return;
        }
    }
}

/// Puts "the poller stopped unexpectedly and was restarted" (and the like) in the status line.
async fn watch_incidents<R: TauriRuntime>(
    app: AppHandle<R>,
    mut incidents: watch::Receiver<Vec<Incident>>,
) {
    while incidents.changed().await.is_ok() {
        let now = incidents.borrow_and_update().clone();
        status::update(&app, |f| f.incidents = now);
    }
}

/// A public URL for the webhook endpoint through cloudflared or ngrok; webhook mode only.
pub async fn start_tunnel<R: TauriRuntime>(app: &AppHandle<R>) -> Result<String, String> {
    let shell = app.state::<Shell>();
    if shell.receive_mode() != ReceiveMode::Webhook {
        return Err("A tunnel is for webhook mode: choose Webhook under Getting updates, save, then start it.".into());
    }
    let port = shell
        .live()
        .webhook_port
        .ok_or("The webhook endpoint is not running; check the status line.")?;
    // Started without holding the connection: cloudflared may take many seconds.
    let tunnel = tunnel::start(TunnelOptions::new(port))
        .await
        .map_err(|e| e.to_string())?;
    let url = tunnel.public_url().to_string();
    let mut slot = shell.connection.lock().await;
    match slot.as_mut() {
        Some(conn) if shell.live().webhook_port == Some(port) => {
            if let Some(old) = conn.tunnel.replace(tunnel) {
                old.stop().await;
            }
        }
        _ => {
            tunnel.stop().await;
            return Err("The connection changed while the tunnel started; start it again.".into());
        }
    }
    drop(slot);
    status::update(app, |f| f.public_webhook_url = Some(url.clone()));
    Ok(url)
}

/// Gives the stopping connection a moment, for Quit.
pub const STOP_GRACE: Duration = Duration::from_secs(5);
