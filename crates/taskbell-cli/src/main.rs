//! `taskbell-cli`: the engine with no window, for servers, tests and benchmarks.

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "taskbell-cli", version, about = "Taskbell without a window")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run an emulated Canvas instance on loopback until Ctrl-C.
    Sandbox {
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// Simulated staff complete new tasks after this many seconds.
        #[arg(long)]
        staff_delay_secs: Option<u64>,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt().with_env_filter(tracing_subscriber::EnvFilter::from_default_env()).init();
    match Cli::parse().command {
        Command::Sandbox { port, staff_delay_secs } => {
            let config = canvas_sandbox::SandboxConfig {
                port,
                staff_delay: staff_delay_secs.map(std::time::Duration::from_secs),
                ..Default::default()
            };
            let sandbox = canvas_sandbox::Sandbox::start(config).await?;
            println!("Canvas sandbox on {}", sandbox.base_url());
            println!("  FHIR   {}", sandbox.fhir_base());
            println!("  token  {}", sandbox.token_url());
            tokio::signal::ctrl_c().await?;
            sandbox.shutdown().await;
            Ok(())
        }
    }
}
