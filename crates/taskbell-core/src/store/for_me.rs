//! "For me": the open tasks assigned to this user or to the teams they follow, soonest due
//! first, each marked overdue or due today. Team tasks are known from pushes and polls alone:
//! Canvas documents no search by team, so they are filtered here by the task-group extension.

use super::history::{task_row, TaskRow};
use super::{Store, StoreError};
use rusqlite::params_from_iter;
use rusqlite::types::Value as Sql;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

const DAY_MS: i64 = 86_400_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ForWhom {
    Me,
    Teams,
    #[default]
    Both,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ForMeQuery {
    pub system: String,
    /// This user's practitioner id.
    pub me: Option<String>,
    /// The teams (Group ids) this user follows.
    #[serde(default)]
    pub teams: Vec<String>,
    #[serde(default)]
    pub whom: ForWhom,
    #[serde(default)]
    pub overdue_only: bool,
    /// Now, and the user's offset from UTC, so "today" is the user's today (Unix ms).
    pub now: i64,
    #[serde(default)]
    pub utc_offset_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForMeRow {
    #[serde(flatten)]
    pub task: TaskRow,
    pub overdue: bool,
    pub due_today: bool,
}

/// `(assignee is me OR team is one of mine)` and its arguments, the system's first; `None` when
/// there is nobody to look for, which must find nothing rather than everything.
pub(super) fn whose(
    system: &str,
    me: Option<&str>,
    teams: &[String],
) -> Option<(String, Vec<Sql>)> {
    let mut whom = Vec::new();
    let mut args = vec![Sql::Text(system.to_string())];
    if let Some(me) = me {
        whom.push("assignee_id = ?".to_string());
        args.push(Sql::Text(me.to_string()));
    }
    if !teams.is_empty() {
        whom.push(format!("team_id IN ({})", vec!["?"; teams.len()].join(",")));
        args.extend(teams.iter().cloned().map(Sql::Text));
    }
    (!whom.is_empty()).then(|| (whom.join(" OR "), args))
}

/// At most this many rows: a list longer than this is not read, it is filtered.
const MAX_ROWS: usize = 1000;

impl Store {
    pub fn for_me(&self, q: &ForMeQuery) -> Result<Vec<ForMeRow>, StoreError> {
        let me =
            q.me.as_deref()
                .filter(|_| matches!(q.whom, ForWhom::Me | ForWhom::Both));
        let teams: &[String] = if matches!(q.whom, ForWhom::Teams | ForWhom::Both) {
            &q.teams
        } else {
            &[]
        };
        let Some((whom, mut args)) = whose(&q.system, me, teams) else {
            return Ok(Vec::new());
        };
        let mut sql = format!(
            "SELECT {} FROM tasks WHERE system = ? AND status = 'open' AND ({})",
            super::history::COLUMNS,
            whom
        );
        if q.overdue_only {
            sql.push_str(" AND due_at < ?");
            args.push(Sql::Integer(q.now));
        }
        // Soonest due first; tasks with no due date after, newest first.
        sql.push_str(&format!(
            " ORDER BY due_at IS NULL, due_at, created_at DESC, rowid DESC LIMIT {MAX_ROWS}"
        ));
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params_from_iter(args), task_row)?;
        let today = (q.now + q.utc_offset_ms).div_euclid(DAY_MS);
        rows.map(|r| {
            let task = r?;
            let overdue = task.due_at.is_some_and(|d| d < q.now);
            let due_today = task
                .due_at
                .is_some_and(|d| (d + q.utc_offset_ms).div_euclid(DAY_MS) == today);
            Ok(ForMeRow {
                task,
                overdue,
                due_today,
            })
        })
        .collect()
    }
}
