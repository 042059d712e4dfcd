//! `canvas-sandbox`: runs the emulated Canvas instance until Ctrl-C, for the demo mode and for
//! trying Taskbell by hand.

use std::time::Duration;

use anyhow::Context;
use canvas_sandbox::{Sandbox, SandboxConfig, WebhookTarget};
use clap::Parser;

#[derive(Parser)]
#[command(
    name = "canvas-sandbox",
    about = "An emulated Canvas Medical instance on 127.0.0.1"
)]
struct Args {
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 8765)]
    port: u16,
    /// Simulated staff complete (or close) each open task created through the API after this
    /// many seconds.
    #[arg(long)]
    staff_delay_secs: Option<f64>,
    /// Every this many seconds simulated staff hand the requester (or their team) a new task,
    /// a comment or a reassignment; 0 is off.
    #[arg(long, default_value_t = 0.0)]
    pace_secs: f64,
    /// Post signed webhooks for every task event to this URL.
    #[arg(long, requires = "webhook_secret")]
    webhook_url: Option<String>,
    /// `whsec_<base64>` signing secret for the webhooks.
    #[arg(long, requires = "webhook_url")]
    webhook_secret: Option<String>,
    /// Also send `Authorization: Bearer <this>` with the webhooks.
    #[arg(long, requires = "webhook_url")]
    webhook_bearer: Option<String>,
    /// Start with an empty clinic (one practitioner) instead of the made-up one.
    #[arg(long)]
    no_seed: bool,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "canvas_sandbox=info".into()),
        )
        .init();
    let args = Args::parse();
    let staff_delay = match args.staff_delay_secs {
        Some(secs) => Some(
            Duration::try_from_secs_f64(secs)
                .context("--staff-delay-secs must be a positive number")?,
        ),
        None => None,
    };
    let handout = Duration::try_from_secs_f64(args.pace_secs)
        .context("--pace-secs must be a positive number or 0")?;
    let webhook = match (args.webhook_url, args.webhook_secret) {
        (Some(url), Some(secret)) => Some(WebhookTarget {
            url,
            secret,
            bearer: args.webhook_bearer,
        }),
        _ => None,
    };
    let config = SandboxConfig {
        port: args.port,
        staff_delay,
        handout: Some(handout).filter(|p| !p.is_zero()),
        webhook,
        seed_clinic: !args.no_seed,
        ..SandboxConfig::default()
    };
    let sandbox = Sandbox::start(config).await?;
    let config = sandbox.config();
    println!("Canvas sandbox listening on {}", sandbox.base_url());
    println!("  FHIR base:      {}", sandbox.fhir_base());
    println!("  token URL:      {}", sandbox.token_url());
    println!(
        "  WebSocket:      {}?api_key={}",
        sandbox.ws_url(),
        config.socket_api_key
    );
    println!("  client id:      {}", config.client_id);
    println!("  client secret:  {}", config.client_secret);
    println!("  socket api key: {}", config.socket_api_key);
    if let Some(target) = &config.webhook {
        println!("  webhooks to:    {}", target.url);
    }
    match config.staff_delay {
        Some(d) => println!(
            "  staff finish open tasks after about {:.1} s",
            d.as_secs_f64()
        ),
        None => println!("  simulated staff: off"),
    }
    match config.handout {
        Some(d) => println!(
            "  staff hand the requester work every {:.1} s",
            d.as_secs_f64()
        ),
        None => println!("  handout:        off"),
    }
    let clinic = sandbox.clinic();
    println!("  requester:      Practitioner/{}", clinic.requester);
    println!("Press Ctrl-C to stop.");
    tokio::signal::ctrl_c()
        .await
        .context("waiting for Ctrl-C")?;
    sandbox.shutdown().await;
    Ok(())
}
