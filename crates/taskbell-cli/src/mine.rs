//! `taskbell-cli mine`: the open tasks assigned to you (read from Canvas first) and to the
//! teams you name, soonest due first, overdue and due-today marked.

use crate::canvas_args::CanvasArgs;
use clap::Args;
use std::path::PathBuf;
use std::sync::Arc;
use taskbell_core::canvas::CanvasClient;
use taskbell_core::notify::LogNotifier;
use taskbell_core::store::ForWhom;
use taskbell_core::time_util::{format_rfc3339, from_millis};
use taskbell_core::Engine;

#[derive(Args, Debug)]
pub struct MineArgs {
    #[command(flatten)]
    pub canvas: CanvasArgs,
    /// The database to read and keep what Canvas says in; without it, one for this run.
    #[arg(long)]
    pub db: Option<PathBuf>,
    /// A team (Group id) whose open tasks to list too; repeat for several. Canvas has no search
    /// by team, so these are the team tasks this database has heard of.
    #[arg(long)]
    pub team: Vec<String>,
    /// Only tasks past their due date.
    #[arg(long)]
    pub overdue: bool,
    #[arg(long)]
    pub json: bool,
}

pub async fn run(args: MineArgs) -> anyhow::Result<()> {
    let (cfg, _sb, me) = args.canvas.connect().await?;
    if me.is_none() {
        anyhow::bail!("--requester (or TASKBELL_REQUESTER) is required: your practitioner id");
    }
    let scratch = tempfile::tempdir()?;
    let path = args
        .db
        .clone()
        .unwrap_or_else(|| scratch.path().join("taskbell.db"));
    let engine = Engine::open(&path, Arc::new(LogNotifier))?;
    engine.set_canvas(Some(CanvasClient::new(cfg)?));
    engine.set_me(me);
    if let Err(e) = engine.refresh_mine().await {
        if args.db.is_none() {
            return Err(e.into());
        }
        eprintln!(
            "taskbell-cli: could not read your tasks from Canvas ({e}); showing what {} holds",
            path.display()
        );
    }
    let offset = taskbell_core::time_util::local_offset_ms();
    let rows = engine
        .for_me(args.team, ForWhom::Both, args.overdue, offset)
        .await?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(());
    }
    if rows.is_empty() {
        println!(
            "Nothing open for you{}.",
            if args.overdue { " is overdue" } else { "" }
        );
    }
    for r in rows {
        let due = r.task.due_at.map_or("no due date".to_string(), |d| {
            format_rfc3339(from_millis(d))
        });
        let mark = if r.overdue {
            "OVERDUE"
        } else if r.due_today {
            "today"
        } else {
            ""
        };
        let whose = match (&r.task.assignee_id, &r.task.team_id) {
            (Some(p), _) => format!("Practitioner/{p}"),
            (None, Some(g)) => format!("Group/{g}"),
            (None, None) => "unassigned".into(),
        };
        println!(
            "{due:<25} {mark:<7} {} {whose}  {}",
            r.task.task_id, r.task.description
        );
    }
    Ok(())
}
