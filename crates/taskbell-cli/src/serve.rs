//! `taskbell-cli serve`: the engine and one receiver, no window, until Ctrl-C or SIGTERM.

use crate::canvas_args::CanvasArgs;
use crate::sandbox;
use anyhow::Context;
use clap::{Args, ValueEnum};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use taskbell_core::inbox::webhook::WebhookConfig;
use taskbell_core::notify::desktop::DesktopNotifier;
use taskbell_core::notify::{LogNotifier, Notifier};
use taskbell_core::runtime::{Receive, Runtime, RuntimeConfig};
use taskbell_core::status::incident_words;
use taskbell_core::Engine;

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Live,
    Webhook,
    Poll,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotifyVia {
    /// Desktop notifications when a session bus answers, else the log.
    Auto,
    Desktop,
    Log,
}

#[derive(Args, Debug)]
pub struct ServeArgs {
    #[command(flatten)]
    pub canvas: CanvasArgs,
    /// The task database.
    #[arg(long)]
    pub db: PathBuf,
    #[arg(long, value_enum, default_value_t = Mode::Poll)]
    pub receive: Mode,
    /// The plugin channel URL for live mode (wss://<instance>.canvasmedical.com/plugin-io/ws/taskbell_relay/<channel>/).
    #[arg(long)]
    pub socket_url: Option<String>,
    /// Webhook port on 127.0.0.1 (0: any free port).
    #[arg(long, default_value_t = 8787)]
    pub webhook_port: u16,
    /// The system webhook events are filed under when no Canvas is configured.
    #[arg(long, default_value = "canvas")]
    pub system: String,
    #[arg(long, default_value_t = 30)]
    pub poll_interval_secs: u64,
    #[arg(long, default_value_t = 300)]
    pub reconcile_interval_secs: u64,
    /// How often tasks waiting to reach Canvas are tried again.
    #[arg(long, default_value_t = 30)]
    pub outbox_interval_secs: u64,
    #[arg(long, value_enum, default_value_t = NotifyVia::Auto)]
    pub notify: NotifyVia,
}

fn notifier(via: NotifyVia) -> Arc<dyn Notifier> {
    let desktop = match via {
        NotifyVia::Log => false,
        NotifyVia::Desktop => true,
        NotifyVia::Auto => DesktopNotifier::available(),
    };
    if desktop {
        Arc::new(DesktopNotifier::new(None))
    } else {
        tracing::info!("no notification service on this session: notifications go to the log");
        Arc::new(LogNotifier)
    }
}

fn env_secret(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|s| !s.is_empty())
}

pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    let sb = if args.canvas.sandbox {
        Some(
            sandbox::start(
                0,
                Some(Duration::from_secs(args.canvas.staff_delay_secs)),
                None,
            )
            .await?,
        )
    } else {
        None
    };
    let canvas = match &sb {
        Some(sb) => Some(sandbox::canvas_config(sb)?),
        None => args.canvas.canvas()?,
    };
    let receive = match args.receive {
        Mode::Poll => Receive::Poll,
        Mode::Webhook => {
            let system = canvas
                .as_ref()
                .map(|c| c.system.clone())
                .unwrap_or(args.system.clone());
            let mut w = WebhookConfig::new(system);
            w.port = args.webhook_port;
            w.secret = env_secret("TASKBELL_WEBHOOK_SECRET");
            w.bearer = env_secret("TASKBELL_WEBHOOK_TOKEN");
            Receive::Webhook(w)
        }
        Mode::Live => {
            let (url, key) = match &sb {
                Some(sb) => (sb.ws_url(), sb.config().socket_api_key.clone()),
                None => (
                    args.socket_url
                        .clone()
                        .context("--socket-url is required in live mode")?,
                    env_secret("TASKBELL_SOCKET_KEY")
                        .context("set TASKBELL_SOCKET_KEY to the plugin's api key")?,
                ),
            };
            Receive::Live { url, api_key: key }
        }
    };
    let engine = Engine::open(&args.db, notifier(args.notify))?;
    engine.set_me(
        args.canvas
            .requester
            .clone()
            .or_else(|| sb.as_ref().map(|s| s.clinic().requester.clone())),
    );
    let mut cfg = RuntimeConfig::new(canvas, receive);
    cfg.poll_every = Duration::from_secs(args.poll_interval_secs.max(1));
    cfg.reconcile_every = Duration::from_secs(args.reconcile_interval_secs.max(1));
    cfg.outbox_every = Duration::from_secs(args.outbox_interval_secs.max(1));
    let runtime = Runtime::start(engine, cfg).await?;
    if let Some(sb) = &sb {
        println!("{}", sandbox::describe(sb));
    }
    if let Some(url) = runtime.webhook_url() {
        println!("webhook endpoint: {url}/hooks/canvas");
    }
    // Tests and scripts wait for this line.
    println!("ready: {} · {}", runtime.system(), runtime.receiver_state());
    let reporter = tokio::spawn(report_incidents(&runtime));
    wait_for_signal().await?;
    reporter.abort();
    runtime.shutdown().await;
    if let Some(sb) = sb {
        sb.shutdown().await;
    }
    Ok(())
}

/// A `status:` line whenever a background task had to be restarted, as the tray would say it.
fn report_incidents(runtime: &Runtime) -> impl std::future::Future<Output = ()> + Send + 'static {
    let (system, mut incidents) = (runtime.system().to_string(), runtime.incidents());
    async move {
        while incidents.changed().await.is_ok() {
            if let Some(words) = incident_words(&incidents.borrow_and_update()) {
                println!("status: {system} · {words}");
            }
        }
    }
}

async fn wait_for_signal() -> anyhow::Result<()> {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        r = tokio::signal::ctrl_c() => r?,
        _ = term.recv() => {}
    }
    Ok(())
}
