//! `taskbell-cli create`: hand one task to Canvas through the outbox, as the app does.

use crate::canvas_args::CanvasArgs;
use crate::sandbox;
use anyhow::Context;
use clap::Args;
use std::path::PathBuf;
use std::sync::Arc;
use taskbell_core::canvas::{CanvasClient, TaskDraft};
use taskbell_core::engine::CreateOutcome;
use taskbell_core::notify::LogNotifier;
use taskbell_core::time_util::parse_rfc3339;
use taskbell_core::Engine;

#[derive(Args, Debug)]
pub struct CreateArgs {
    #[command(flatten)]
    pub canvas: CanvasArgs,
    #[arg(long)]
    pub db: PathBuf,
    /// What needs doing.
    pub description: String,
    #[arg(long)]
    pub patient: Option<String>,
    #[arg(long)]
    pub owner: Option<String>,
    #[arg(long)]
    pub team: Option<String>,
    /// RFC 3339, e.g. 2026-12-01T17:00:00+01:00.
    #[arg(long)]
    pub due: Option<String>,
    #[arg(long)]
    pub label: Vec<String>,
    #[arg(long)]
    pub comment: Option<String>,
}

pub async fn run(args: CreateArgs) -> anyhow::Result<()> {
    let sb = if args.canvas.sandbox {
        Some(sandbox::start(0, None).await?)
    } else {
        None
    };
    let cfg = match &sb {
        Some(sb) => sandbox::canvas_config(sb)?,
        None => args
            .canvas
            .canvas()?
            .context("say which Canvas: --sandbox, --instance, or --fhir-base with --token-url")?,
    };
    let requester = match (&args.canvas.requester, &sb) {
        (Some(r), _) => r.clone(),
        (None, Some(sb)) => sb.clinic().requester.clone(),
        (None, None) => {
            anyhow::bail!("--requester (or TASKBELL_REQUESTER) is required: your practitioner id")
        }
    };
    let due = match &args.due {
        Some(d) => Some(
            parse_rfc3339(d)
                .with_context(|| format!("--due {d:?} is not an RFC 3339 date and time"))?,
        ),
        None => None,
    };
    let engine = Engine::open(&args.db, Arc::new(LogNotifier))?;
    engine.set_canvas(Some(CanvasClient::new(cfg)?));
    let draft = TaskDraft {
        description: args.description,
        requester,
        patient: args.patient,
        owner: args.owner,
        team: args.team,
        due,
        labels: args.label,
        comment: args.comment,
        ..Default::default()
    };
    match engine.create(draft).await? {
        CreateOutcome::Created { task_id, .. } => println!("created {task_id}"),
        CreateOutcome::Pending { reason, .. } => println!("saved, not sent yet: {reason}"),
    }
    Ok(())
}
