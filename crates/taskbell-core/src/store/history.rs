//! The queries behind the history view: a filtered, searchable list paged by key (never by
//! OFFSET, so page 500 costs what page 1 does), a task's timeline, and the numbers for the chart.

use super::{Store, StoreError};
use crate::task::{TaskRef, TaskStatus};
use rusqlite::types::Value as Sql;
use rusqlite::{params, params_from_iter, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct HistoryQuery {
    /// Empty means every status.
    #[serde(default)]
    pub statuses: Vec<TaskStatus>,
    /// Created at or after (Unix ms).
    pub from: Option<i64>,
    /// Created before (Unix ms).
    pub to: Option<i64>,
    pub patient_id: Option<String>,
    pub assignee_id: Option<String>,
    /// Words to find in the description, patient or assignee; each may be a prefix.
    pub text: Option<String>,
    /// Only tasks created through this Taskbell.
    #[serde(default)]
    pub mine_only: bool,
    pub after: Option<Cursor>,
    pub limit: u32,
}

/// Where a page ended: the sort key of its last row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Cursor {
    pub created_at: i64,
    pub rowid: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TaskRow {
    pub rowid: i64,
    pub system: String,
    pub task_id: String,
    pub status: TaskStatus,
    pub description: String,
    pub patient_id: Option<String>,
    pub patient_name: Option<String>,
    pub assignee_id: Option<String>,
    pub assignee_name: Option<String>,
    pub team_id: Option<String>,
    pub team_name: Option<String>,
    pub requester_id: Option<String>,
    pub labels: Vec<String>,
    pub due_at: Option<i64>,
    /// authoredOn when known, else first seen (Unix ms).
    pub created_at: i64,
    pub done_at: Option<i64>,
    /// Canvas's own last-modified, when a source said.
    pub modified_at: Option<i64>,
    /// When the newest event applied to this row happened.
    pub observed_at: i64,
    pub permalink: Option<String>,
    pub external_id: Option<String>,
    /// Created through this Taskbell.
    pub mine: bool,
}

impl TaskRow {
    /// The name of practitioner `id` when the row knows it: sources name people by id, and the
    /// one id with a name at hand is the assignee's.
    pub fn name_of(&self, id: &str) -> Option<&str> {
        (self.assignee_id.as_deref() == Some(id))
            .then_some(self.assignee_name.as_deref())
            .flatten()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct HistoryPage {
    pub rows: Vec<TaskRow>,
    pub next: Option<Cursor>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct EventRow {
    pub kind: String,
    pub source: String,
    pub occurred_at: i64,
    pub received_at: i64,
    pub status_before: Option<String>,
    pub status_after: Option<String>,
    pub actor: Option<String>,
    pub detail: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct DayCount {
    /// Days since the Unix epoch, in the caller's time zone.
    pub day: i64,
    pub completed: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Stats {
    pub per_day: Vec<DayCount>,
    /// Median of done_at - created_at over completions in the range, in ms.
    pub median_ms_to_complete: Option<i64>,
}

/// The columns [`task_row`] reads, in its order.
macro_rules! task_columns {
    () => {
        "rowid, system, task_id, status, description, patient_id, patient_name, assignee_id, assignee_name,
         team_id, team_name, requester_id, labels, due_at, created_at, done_at, modified_at, observed_at,
         permalink, external_id, mine"
    };
}

pub(super) const COLUMNS: &str = task_columns!();

/// One task by its system and id, on any connection (the writer's, inside its transaction).
pub(super) fn select_task(
    conn: &rusqlite::Connection,
    t: &TaskRef,
) -> Result<Option<TaskRow>, StoreError> {
    const SQL: &str = concat!(
        "SELECT ",
        task_columns!(),
        " FROM tasks WHERE system = ?1 AND task_id = ?2"
    );
    Ok(conn
        .prepare_cached(SQL)?
        .query_row(params![t.system, t.id], task_row)
        .optional()?)
}

pub(super) fn task_row(r: &Row) -> rusqlite::Result<TaskRow> {
    let status: String = r.get(3)?;
    let labels: String = r.get(12)?;
    Ok(TaskRow {
        rowid: r.get(0)?,
        system: r.get(1)?,
        task_id: r.get(2)?,
        status: status.parse().unwrap_or(TaskStatus::Open),
        description: r.get(4)?,
        patient_id: r.get(5)?,
        patient_name: r.get(6)?,
        assignee_id: r.get(7)?,
        assignee_name: r.get(8)?,
        team_id: r.get(9)?,
        team_name: r.get(10)?,
        requester_id: r.get(11)?,
        labels: serde_json::from_str(&labels).unwrap_or_default(),
        due_at: r.get(13)?,
        created_at: r.get(14)?,
        done_at: r.get(15)?,
        modified_at: r.get(16)?,
        observed_at: r.get(17)?,
        permalink: r.get(18)?,
        external_id: r.get(19)?,
        mine: r.get(20)?,
    })
}

/// Turns what a user types into an FTS5 query that cannot be a syntax error: every word quoted,
/// each a prefix, all required.
pub fn fts_query(text: &str) -> Option<String> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{w}\"*"))
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

pub const MAX_PAGE: u32 = 500;

/// Matches beyond which a search walks the tasks in date order instead of sorting its matches:
/// about where the two cost the same on 100 000 tasks (BENCHMARKS.md, history at scale).
const COMMON_SEARCH: i64 = 600;
const COMMON_SEARCH_SQL: &str =
    "SELECT count(*) FROM (SELECT 1 FROM tasks_fts WHERE tasks_fts MATCH ?1 LIMIT ?2)";

impl Store {
    pub fn history(&self, q: &HistoryQuery) -> Result<HistoryPage, StoreError> {
        let search = q.text.as_deref().and_then(fts_query);
        let walk = match &search {
            Some(m) if q.patient_id.is_none() && q.assignee_id.is_none() => {
                self.search_is_common(m)?
            }
            _ => false,
        };
        // SQLite's own plan for a search reads and sorts every match before it keeps a page,
        // which is cheap for a rare word and slow for a common one; for a common one, walking
        // the tasks newest first finds a page of matches after a few hundred rows.
        let from = if walk {
            "tasks INDEXED BY tasks_by_created"
        } else {
            "tasks"
        };
        let mut sql = format!("SELECT {COLUMNS} FROM {from} WHERE 1=1");
        let mut args: Vec<Sql> = Vec::new();
        if !q.statuses.is_empty() {
            let marks = vec!["?"; q.statuses.len()].join(",");
            sql.push_str(&format!(" AND status IN ({marks})"));
            args.extend(q.statuses.iter().map(|s| Sql::Text(s.as_str().into())));
        }
        let mut push = |clause: &str, v: Sql| {
            sql.push_str(clause);
            args.push(v);
        };
        if let Some(from) = q.from {
            push(" AND created_at >= ?", Sql::Integer(from));
        }
        if let Some(to) = q.to {
            push(" AND created_at < ?", Sql::Integer(to));
        }
        if let Some(p) = &q.patient_id {
            push(" AND patient_id = ?", Sql::Text(p.clone()));
        }
        if let Some(a) = &q.assignee_id {
            push(" AND assignee_id = ?", Sql::Text(a.clone()));
        }
        if let Some(m) = search {
            push(
                " AND rowid IN (SELECT rowid FROM tasks_fts WHERE tasks_fts MATCH ?)",
                Sql::Text(m),
            );
        }
        if q.mine_only {
            sql.push_str(" AND mine = 1");
        }
        if let Some(c) = q.after {
            sql.push_str(" AND (created_at, rowid) < (?, ?)");
            args.push(Sql::Integer(c.created_at));
            args.push(Sql::Integer(c.rowid));
        }
        let limit = q.limit.clamp(1, MAX_PAGE);
        // One extra row says whether there is a next page without a COUNT.
        sql.push_str(&format!(
            " ORDER BY created_at DESC, rowid DESC LIMIT {}",
            limit + 1
        ));
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut rows = stmt
            .query_map(params_from_iter(args), task_row)?
            .collect::<Result<Vec<_>, _>>()?;
        let next = if rows.len() > limit as usize {
            rows.truncate(limit as usize);
            rows.last().map(|r| Cursor {
                created_at: r.created_at,
                rowid: r.rowid,
            })
        } else {
            None
        };
        Ok(HistoryPage { rows, next })
    }

    /// Whether a search matches so many tasks that reading and sorting them all would cost more
    /// than walking the newest tasks until a page is found. Counting stops at the threshold.
    fn search_is_common(&self, fts: &str) -> Result<bool, StoreError> {
        let n: i64 = self
            .conn
            .prepare_cached(COMMON_SEARCH_SQL)?
            .query_row(params![fts, COMMON_SEARCH], |r| r.get(0))?;
        Ok(n >= COMMON_SEARCH)
    }

    pub fn task(&self, t: &TaskRef) -> Result<Option<TaskRow>, StoreError> {
        select_task(&self.conn, t)
    }

    /// Every event recorded for a task, oldest first.
    pub fn timeline(&self, t: &TaskRef) -> Result<Vec<EventRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT kind, source, occurred_at, received_at, status_before, status_after, actor, detail
             FROM task_events WHERE system = ?1 AND task_id = ?2 ORDER BY occurred_at, rowid",
        )?;
        let rows = stmt.query_map(params![t.system, t.id], |r| {
            let detail: String = r.get(7)?;
            Ok(EventRow {
                kind: r.get(0)?,
                source: r.get(1)?,
                occurred_at: r.get(2)?,
                received_at: r.get(3)?,
                status_before: r.get(4)?,
                status_after: r.get(5)?,
                actor: r.get(6)?,
                detail: serde_json::from_str(&detail).unwrap_or_default(),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Completions per day in `[from, to)` and the median time to complete, with days cut at
    /// the caller's UTC offset so "today" means the user's today.
    pub fn stats(&self, from: i64, to: i64, utc_offset_ms: i64) -> Result<Stats, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT (done_at + ?3) / 86400000 AS day, count(*) FROM tasks
             WHERE status = 'completed' AND done_at >= ?1 AND done_at < ?2 GROUP BY day ORDER BY day",
        )?;
        let per_day = stmt
            .query_map(params![from, to, utc_offset_ms], |r| {
                Ok(DayCount {
                    day: r.get(0)?,
                    completed: r.get(1)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let total: i64 = per_day.iter().map(|d| d.completed as i64).sum();
        let median_ms_to_complete = if total == 0 {
            None
        } else {
            self.conn
                .query_row(
                    "SELECT done_at - created_at FROM tasks
                     WHERE status = 'completed' AND done_at >= ?1 AND done_at < ?2
                     ORDER BY done_at - created_at LIMIT 1 OFFSET ?3",
                    params![from, to, (total - 1) / 2],
                    |r| r.get(0),
                )
                .ok()
        };
        Ok(Stats {
            per_day,
            median_ms_to_complete,
        })
    }
}

/// A completed task of this user's, for unit tests elsewhere in the crate.
#[cfg(test)]
pub(crate) fn example_row() -> TaskRow {
    TaskRow {
        rowid: 1,
        system: "sandbox".into(),
        task_id: "t1".into(),
        status: TaskStatus::Completed,
        description: "Fax the referral".into(),
        patient_id: Some("p1".into()),
        patient_name: Some("Ada Quill".into()),
        assignee_id: Some("s1".into()),
        assignee_name: Some("Nurse Joy".into()),
        team_id: None,
        team_name: None,
        requester_id: None,
        labels: vec![],
        due_at: None,
        created_at: 1_695_391_200_000,
        done_at: Some(1_695_391_260_000),
        modified_at: None,
        observed_at: 1_695_391_260_000,
        permalink: Some("http://canvas/permalinks/x".into()),
        external_id: None,
        mine: true,
    }
}

#[cfg(test)]
mod tests {
    use super::fts_query;

    #[test]
    fn user_text_becomes_a_safe_prefix_query() {
        assert_eq!(
            fts_query("insur  call"),
            Some("\"insur\"* \"call\"*".into())
        );
        assert_eq!(fts_query("\"AND OR (* -"), Some("\"AND\"* \"OR\"*".into()));
        assert_eq!(fts_query("  -- "), None);
    }
}
