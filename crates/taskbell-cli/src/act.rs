//! `taskbell-cli complete ID` and `taskbell-cli comment ID TEXT`: one change to a Canvas task
//! through the client's own read-modify-PUT (conditional on the read, re-applied after a 412,
//! keeping every field a PUT would otherwise delete), for scripts and tests.

use crate::canvas_args::CanvasArgs;
use crate::sandbox;
use anyhow::Context;
use canvas_sandbox::Sandbox;
use clap::Args;
use taskbell_core::canvas::CanvasClient;
use taskbell_core::TaskStatus;

#[derive(Args, Debug)]
pub struct CompleteArgs {
    #[command(flatten)]
    pub canvas: CanvasArgs,
    /// The Canvas task id.
    pub id: String,
}

#[derive(Args, Debug)]
pub struct CommentArgs {
    #[command(flatten)]
    pub canvas: CanvasArgs,
    /// The Canvas task id.
    pub id: String,
    /// The comment, written as you (--requester): Canvas requires every comment's author.
    pub text: String,
}

/// The client, the practitioner acting (if known), and the embedded sandbox to keep alive.
async fn connect(
    args: &CanvasArgs,
) -> anyhow::Result<(CanvasClient, Option<String>, Option<Sandbox>)> {
    let sb = if args.sandbox {
        Some(sandbox::start(0, None).await?)
    } else {
        None
    };
    let cfg = match &sb {
        Some(sb) => sandbox::canvas_config(sb)?,
        None => args
            .canvas()?
            .context("say which Canvas: --sandbox, --instance, or --fhir-base with --token-url")?,
    };
    let me = args
        .requester
        .clone()
        .or_else(|| sb.as_ref().map(|sb| sb.clinic().requester));
    Ok((CanvasClient::new(cfg)?, me, sb))
}

pub async fn complete(args: CompleteArgs) -> anyhow::Result<()> {
    let (client, _, _sb) = connect(&args.canvas).await?;
    let task = client.set_status(&args.id, TaskStatus::Completed).await?;
    println!("completed {}", task.id);
    Ok(())
}

pub async fn comment(args: CommentArgs) -> anyhow::Result<()> {
    let (client, me, _sb) = connect(&args.canvas).await?;
    let me = me.context("--requester (or TASKBELL_REQUESTER) is required: your practitioner id, the comment's author")?;
    let task = client.add_comment(&args.id, &args.text, &me).await?;
    println!("commented on {} ({} comments)", task.id, task.notes.len());
    Ok(())
}
