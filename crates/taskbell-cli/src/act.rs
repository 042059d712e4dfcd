//! `taskbell-cli complete|close|reopen|comment|assign|due ID …`: one action on a Canvas task,
//! through the outbox as the app sends it (claimed before it is sent, re-applied to the task as
//! Canvas holds it after a 412, every field a PUT would otherwise delete kept). Prints what
//! Canvas then says; a refusal exits non-zero with Canvas's words or the reason.

use crate::canvas_args::CanvasArgs;
use anyhow::{bail, Context};
use canvas_sandbox::Sandbox;
use clap::{Args, Subcommand};
use std::path::PathBuf;
use std::sync::Arc;
use taskbell_core::canvas::{ActionRequest, CanvasClient, TaskAction};
use taskbell_core::engine::ActOutcome;
use taskbell_core::notify::LogNotifier;
use taskbell_core::task::Task;
use taskbell_core::time_util::{format_rfc3339, parse_rfc3339};
use taskbell_core::{Engine, TaskRef};

#[derive(Args, Debug)]
pub struct ActArgs {
    #[command(flatten)]
    pub canvas: CanvasArgs,
    /// The database whose outbox keeps the action until Canvas has it. Without it, an action
    /// Canvas cannot take now is not kept.
    #[arg(long)]
    pub db: Option<PathBuf>,
    /// The Canvas task id.
    pub id: String,
}

#[derive(Args, Debug)]
pub struct CommentArgs {
    #[command(flatten)]
    pub act: ActArgs,
    /// The comment, written as you (--requester): Canvas requires every comment's author.
    pub text: String,
}

#[derive(Args, Debug)]
#[group(required = true, multiple = false)]
pub struct AssignTo {
    /// A practitioner's id: the task becomes theirs (its team stays).
    #[arg(long)]
    pub owner: Option<String>,
    /// A team's (Group's) id: the task goes to the team's queue, with no personal owner.
    #[arg(long)]
    pub team: Option<String>,
}

#[derive(Args, Debug)]
pub struct AssignArgs {
    #[command(flatten)]
    pub act: ActArgs,
    #[command(flatten)]
    pub to: AssignTo,
}

#[derive(Args, Debug)]
pub struct DueArgs {
    #[command(flatten)]
    pub act: ActArgs,
    /// RFC 3339, e.g. 2026-12-01T17:00:00+01:00.
    pub due: String,
}

#[derive(Subcommand, Debug)]
pub enum ActCommand {
    /// Mark a Canvas task completed.
    Complete(ActArgs),
    /// Close (cancel) a Canvas task.
    Close(ActArgs),
    /// Reopen a completed or closed Canvas task.
    Reopen(ActArgs),
    /// Add one comment to a Canvas task, as you (--requester).
    Comment(CommentArgs),
    /// Assign a Canvas task to a person or a team.
    Assign(AssignArgs),
    /// Change a Canvas task's due date.
    Due(DueArgs),
}

pub async fn run(cmd: ActCommand) -> anyhow::Result<()> {
    let (args, action) = match cmd {
        ActCommand::Complete(a) => (a, Intent::Plain(TaskAction::Complete)),
        ActCommand::Close(a) => (a, Intent::Plain(TaskAction::Close)),
        ActCommand::Reopen(a) => (a, Intent::Plain(TaskAction::Reopen)),
        ActCommand::Comment(c) => (c.act, Intent::Comment(c.text)),
        ActCommand::Assign(a) => {
            let action = match (a.to.owner, a.to.team) {
                (Some(practitioner), _) => TaskAction::AssignOwner { practitioner },
                (None, Some(group)) => TaskAction::AssignTeam { group },
                (None, None) => bail!("say --owner PRACTITIONER or --team GROUP"),
            };
            (a.act, Intent::Plain(action))
        }
        ActCommand::Due(d) => {
            let due = parse_rfc3339(&d.due)
                .with_context(|| format!("{:?} is not an RFC 3339 date and time", d.due))?;
            (d.act, Intent::Plain(TaskAction::Due { due }))
        }
    };
    let (engine, me, _sb, _scratch) = connect(&args).await?;
    let action = match action {
        Intent::Plain(a) => a,
        Intent::Comment(text) => TaskAction::Comment {
            text,
            author: me.context("--requester (or TASKBELL_REQUESTER) is required: your practitioner id, the comment's author")?,
        },
    };
    let system = engine
        .canvas()
        .map(|c| c.system().to_string())
        .unwrap_or_default();
    let outcome = engine
        .act(
            &TaskRef::new(system, args.id.clone()),
            ActionRequest::new(action),
        )
        .await?;
    match outcome {
        ActOutcome::Done { task, already } => {
            println!("{}", describe(&task));
            if let Some(why) = already {
                println!("nothing to change: {why}");
            }
            Ok(())
        }
        ActOutcome::Queued { reason, .. } if args.db.is_some() => {
            println!("saved, not sent yet: {reason}");
            Ok(())
        }
        ActOutcome::Queued { reason, .. } => {
            bail!("not sent: {reason} (pass --db to keep it and send it later)")
        }
    }
}

enum Intent {
    Plain(TaskAction),
    /// Its author is known once connected.
    Comment(String),
}

/// The engine on `--db` (or a database that lasts this run, kept alive by the last item), the
/// practitioner acting, and the embedded sandbox to keep alive.
async fn connect(
    args: &ActArgs,
) -> anyhow::Result<(
    Engine,
    Option<String>,
    Option<Sandbox>,
    Option<tempfile::TempDir>,
)> {
    let (cfg, sb, me) = args.canvas.connect().await?;
    let (path, scratch) = match &args.db {
        Some(p) => (p.clone(), None),
        None => {
            let dir = tempfile::tempdir()?;
            (dir.path().join("taskbell.db"), Some(dir))
        }
    };
    let engine = Engine::open(&path, Arc::new(LogNotifier))?;
    engine.set_canvas(Some(CanvasClient::new(cfg)?));
    engine.set_me(me.clone());
    Ok((engine, me, sb, scratch))
}

/// One line of what Canvas says about the task now.
fn describe(t: &Task) -> String {
    let mut line = format!("{} {}", t.id, t.status.as_str());
    if let Some(o) = &t.owner {
        line.push_str(&format!(" owner=Practitioner/{}", o.id));
    }
    if let Some(g) = &t.team {
        line.push_str(&format!(" team=Group/{}", g.id));
    }
    if let Some(d) = t.due {
        line.push_str(&format!(" due={}", format_rfc3339(d)));
    }
    line.push_str(&format!(" notes={}", t.notes.len()));
    line
}
