//! `taskbell-cli`: the engine with no window, for servers, tests and benchmarks. Each
//! subcommand is a thin adapter over taskbell-core, like the desktop shell.

mod act;
mod canvas_args;
mod create;
mod history;
mod mine;
mod sandbox;
mod serve;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "taskbell-cli", version, about = "Taskbell without a window")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Receive task changes and notify, until Ctrl-C.
    Serve(serve::ServeArgs),
    /// Create one task in Canvas.
    Create(create::CreateArgs),
    #[command(flatten)]
    Act(act::ActCommand),
    /// List stored tasks.
    History(history::HistoryArgs),
    /// List the open tasks assigned to you (and to --team), soonest due first.
    Mine(mine::MineArgs),
    /// Run an emulated Canvas on loopback until Ctrl-C.
    Sandbox {
        #[arg(long, default_value_t = 8765)]
        port: u16,
        /// Simulated staff complete new tasks after this many seconds.
        #[arg(long)]
        staff_delay_secs: Option<u64>,
        /// Every N seconds simulated staff hand the requester (or their team) a new task, a
        /// comment or a reassignment; 0 is off.
        #[arg(long, default_value_t = 0)]
        pace_secs: u64,
    },
}

fn main() {
    // Read while this is the only thread: the time crate reads the local offset only then.
    taskbell_core::time_util::remember_local_offset();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(run());
}

async fn run() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let result = match Cli::parse().command {
        Command::Serve(a) => serve::run(a).await,
        Command::Create(a) => create::run(a).await,
        Command::Act(a) => act::run(a).await,
        Command::History(a) => history::run(a),
        Command::Mine(a) => mine::run(a).await,
        Command::Sandbox {
            port,
            staff_delay_secs,
            pace_secs,
        } => run_sandbox(port, staff_delay_secs, pace_secs).await,
    };
    if let Err(e) = result {
        eprintln!("taskbell-cli: {e:#}");
        std::process::exit(1);
    }
}

async fn run_sandbox(
    port: u16,
    staff_delay_secs: Option<u64>,
    pace_secs: u64,
) -> anyhow::Result<()> {
    let staff_delay = staff_delay_secs.map(std::time::Duration::from_secs);
    let handout = Some(std::time::Duration::from_secs(pace_secs)).filter(|p| !p.is_zero());
    let sb = sandbox::start(port, staff_delay, handout).await?;
    println!("{}", sandbox::describe(&sb));
    tokio::signal::ctrl_c().await?;
    sb.shutdown().await;
    Ok(())
}
