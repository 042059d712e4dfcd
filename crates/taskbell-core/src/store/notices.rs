//! Notices: everything notification-worthy, written in the transaction that found it worthy.
//! They are the unread list the window and the tray show, and the popups still to be shown: a
//! crash between the commit and the popup leaves the notice pending, and the next start shows
//! it. A notice tied to a timeline event is written once per event, so a change is announced
//! once however often it is applied.

use super::{Store, StoreError};
use crate::notify::{NoticeAction, NoticeKind, Notification};
use crate::task::TaskRef;
use rusqlite::{params, OptionalExtension, Row};
use serde::Serialize;
use ts_rs::TS;

/// A notice as the unread list shows it, and as its popup is made from.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Notice {
    pub id: i64,
    pub task: TaskRef,
    pub kind: NoticeKind,
    pub summary: String,
    pub body: String,
    pub actions: Vec<NoticeAction>,
    pub permalink: Option<String>,
    /// When it was written (Unix ms, the desktop's clock: display only).
    pub at: i64,
    /// Quiet hours (or a pause) kept it off the screen.
    pub held: bool,
}

/// A notice about to be written: what its popup says, and when and why it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct NewNotice<'a> {
    pub says: &'a Notification,
    pub at: i64,
    pub held: bool,
    /// The timeline event it announces, if any.
    pub event: Option<i64>,
}

const COLUMNS: &str = "id, system, task_id, kind, summary, body, actions, permalink, at, popup";

fn notice(r: &Row<'_>) -> rusqlite::Result<Notice> {
    let kind: String = r.get(3)?;
    let actions: String = r.get(6)?;
    let popup: String = r.get(9)?;
    Ok(Notice {
        id: r.get(0)?,
        task: TaskRef::new(r.get::<_, String>(1)?, r.get::<_, String>(2)?),
        kind: kind.parse().unwrap_or(NoticeKind::Reopened),
        summary: r.get(4)?,
        body: r.get(5)?,
        actions: serde_json::from_str(&actions).unwrap_or_default(),
        permalink: r.get(7)?,
        at: r.get(8)?,
        held: popup == "held",
    })
}

impl Store {
    /// Writes `n`; `None` when its event already has a notice.
    pub fn add_notice(&self, new: &NewNotice) -> Result<Option<i64>, StoreError> {
        let n = new.says;
        let actions = serde_json::to_string(&n.actions).unwrap_or_else(|_| "[]".into());
        let written = self.conn.prepare_cached(
            "INSERT INTO notices (system, task_id, kind, summary, body, actions, permalink, at, popup, event)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT (event) DO NOTHING",
        )?
        .execute(params![
            n.task.system,
            n.task.id,
            n.kind.as_str(),
            n.summary,
            n.body,
            actions,
            n.permalink,
            new.at,
            if new.held { "held" } else { "pending" },
            new.event,
        ])?;
        Ok((written == 1).then(|| self.conn.last_insert_rowid()))
    }

    /// The popup went to the desktop.
    pub fn notice_shown(&self, id: i64) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE notices SET popup = 'shown' WHERE id = ?1 AND popup = 'pending'",
            params![id],
        )?;
        Ok(())
    }

    /// The newest notice: what a popup in flight cannot be newer than.
    pub fn last_notice(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT coalesce(max(id), 0) FROM notices", [], |r| r.get(0))?)
    }

    /// Popups up to `up_to` not yet shown, oldest first.
    pub fn pending_notices(&self, up_to: i64) -> Result<Vec<Notice>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM notices WHERE popup = 'pending' AND id <= ?1 ORDER BY id"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![up_to], notice)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Unread notices, newest first, at most `limit`.
    pub fn unread(&self, limit: u32) -> Result<Vec<Notice>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM notices WHERE read_at IS NULL ORDER BY id DESC LIMIT ?1"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![limit], notice)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn unread_count(&self) -> Result<u32, StoreError> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM notices WHERE read_at IS NULL",
            [],
            |r| r.get(0),
        )?)
    }

    /// Marks every unread notice read; returns how many.
    pub fn mark_all_read(&self, now: i64) -> Result<usize, StoreError> {
        Ok(self.conn.execute(
            "UPDATE notices SET read_at = ?1 WHERE read_at IS NULL",
            params![now],
        )?)
    }

    /// Marks one notice read, and with it the task's other unread notices: seeing a task is
    /// seeing what was said about it.
    pub fn mark_read(&self, id: i64, now: i64) -> Result<usize, StoreError> {
        let task: Option<(String, String)> = self
            .conn
            .query_row(
                "SELECT system, task_id FROM notices WHERE id = ?1",
                params![id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((system, task_id)) = task else {
            return Ok(0);
        };
        Ok(self.conn.execute(
            "UPDATE notices SET read_at = ?3 WHERE system = ?1 AND task_id = ?2 AND read_at IS NULL",
            params![system, task_id, now],
        )?)
    }
}
