//! `taskbell-cli history`: the stored tasks, newest first, as lines or JSON.

use clap::Args;
use std::path::PathBuf;
use taskbell_core::store::{HistoryQuery, Store};
use taskbell_core::time_util::{format_rfc3339, from_millis};
use taskbell_core::TaskStatus;

#[derive(Args, Debug)]
pub struct HistoryArgs {
    #[arg(long)]
    pub db: PathBuf,
    /// open, completed or closed; repeat for several.
    #[arg(long)]
    pub status: Vec<TaskStatus>,
    /// Words to find in descriptions, patients and assignees.
    #[arg(long)]
    pub search: Option<String>,
    #[arg(long, default_value_t = 50)]
    pub limit: u32,
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: HistoryArgs) -> anyhow::Result<()> {
    let store = Store::open(&args.db)?;
    let page = store.history(&HistoryQuery {
        statuses: args.status,
        text: args.search,
        limit: args.limit,
        ..Default::default()
    })?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&page.rows)?);
        return Ok(());
    }
    if page.rows.is_empty() {
        println!("No tasks yet.");
    }
    for r in page.rows {
        let done = r
            .done_at
            .map(|t| format!(" → {}", format_rfc3339(from_millis(t))))
            .unwrap_or_default();
        println!(
            "{:<9} {} {}{}  {}",
            r.status,
            r.task_id,
            format_rfc3339(from_millis(r.created_at)),
            done,
            r.description
        );
    }
    Ok(())
}
