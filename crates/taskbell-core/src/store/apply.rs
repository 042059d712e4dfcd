//! Applying one event to the store: record the delivery (or notice it is a repeat), then merge
//! what the event knows into the task, inside the caller's transaction.
//!
//! One clock orders a task's states: its system's own (Canvas's `lastModified`). An event
//! older by that clock than what the task already reflects joins the timeline but changes
//! nothing. The desktop's clock only stamps when an event arrived. A hint (a push with no
//! system time) cannot be ordered at all: when Canvas can be asked, it is recorded and the task
//! is queued for a read; with no Canvas to ask, it is applied in arrival order, unconfirmed.

use super::history::select_task;
use super::{StoreError, TaskRow};
use crate::task::{EventKind, Party, TaskEvent, TaskRef, TaskStatus};
use crate::time_util::to_millis;
use rusqlite::{params, Connection};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq)]
pub struct Applied {
    /// The delivery key was seen before; nothing was written.
    pub duplicate: bool,
    /// The status before this event; `None` when the task was new to the store.
    pub previous: Option<TaskStatus>,
    pub current: TaskStatus,
    /// The event was older than what the store already had, so it changed nothing.
    pub stale: bool,
    /// A hint recorded and queued for a read from Canvas: it changed nothing yet.
    pub hint: bool,
    /// The event's row in the timeline; `None` for a duplicate.
    pub event: Option<i64>,
    /// Created through this Taskbell.
    pub mine: bool,
    /// The task as stored once the event is applied (as it was, for a duplicate).
    pub row: Option<TaskRow>,
    /// Who the task was with before this event; `None` when it was new to the store.
    pub before: Option<Holder>,
    /// The event brought a note the store had not counted yet; `by` is its author.
    pub new_note: Option<NewNote>,
}

/// Whose a task was.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Holder {
    pub owner: Option<String>,
    pub team: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNote {
    pub by: Option<String>,
}

impl Applied {
    /// A transition the user may be told about: the stored status really moved.
    pub fn transitioned(&self) -> bool {
        !self.duplicate && self.previous.is_some_and(|p| p != self.current)
    }
}

/// A party is two columns; a new party replaces the old one, but a known name survives a source
/// that sent only the id. A full snapshot without the party clears it.
fn set_party(id: &mut Option<String>, name: &mut Option<String>, new: Option<&Party>, full: bool) {
    match new {
        Some(n) => {
            if n.display.is_some() || id.as_deref() != Some(n.id.as_str()) {
                *name = n.display.clone();
            }
            *id = Some(n.id.clone());
        }
        None if full => (*id, *name) = (None, None),
        None => {}
    }
}

fn fill_party(id: &mut Option<String>, name: &mut Option<String>, new: Option<&Party>) {
    if let (None, Some(n)) = (&id, new) {
        (*id, *name) = (Some(n.id.clone()), n.display.clone());
    }
}

fn merge(mut row: TaskRow, e: &TaskEvent, status: TaskStatus, at: i64) -> TaskRow {
    let s = &e.snapshot;
    if let Some(d) = &s.description {
        row.description = d.clone();
    }
    set_party(
        &mut row.patient_id,
        &mut row.patient_name,
        s.patient.as_ref(),
        s.full,
    );
    set_party(
        &mut row.assignee_id,
        &mut row.assignee_name,
        s.owner.as_ref(),
        s.full,
    );
    set_party(
        &mut row.team_id,
        &mut row.team_name,
        s.team.as_ref(),
        s.full,
    );
    if let Some(r) = &s.requester {
        row.requester_id = Some(r.id.clone());
    }
    if let Some(l) = &s.labels {
        row.labels = l.clone();
    }
    if s.due.is_some() || s.full {
        row.due_at = s.due.map(to_millis);
    }
    if let Some(a) = s.authored_on {
        row.created_at = to_millis(a);
    }
    if let Some(m) = e.at {
        row.modified_at = row.modified_at.max(Some(to_millis(m)));
    }
    if s.permalink.is_some() {
        row.permalink = s.permalink.clone();
    }
    if e.external_id.is_some() {
        row.external_id = e.external_id.clone();
    }
    if row.status != status {
        row.done_at = status.is_done().then_some(at);
    }
    row.status = status;
    row
}

/// Takes from `e` only what the row does not know yet.
fn fill_gaps(mut row: TaskRow, e: &TaskEvent) -> TaskRow {
    let s = &e.snapshot;
    if row.description.is_empty() {
        row.description = s.description.clone().unwrap_or_default();
    }
    fill_party(
        &mut row.patient_id,
        &mut row.patient_name,
        s.patient.as_ref(),
    );
    fill_party(
        &mut row.assignee_id,
        &mut row.assignee_name,
        s.owner.as_ref(),
    );
    fill_party(&mut row.team_id, &mut row.team_name, s.team.as_ref());
    row.requester_id = row
        .requester_id
        .or_else(|| s.requester.as_ref().map(|r| r.id.clone()));
    if row.labels.is_empty() {
        row.labels = s.labels.clone().unwrap_or_default();
    }
    row.due_at = row.due_at.or(s.due.map(to_millis));
    row.permalink = row.permalink.or_else(|| s.permalink.clone());
    row.external_id = row.external_id.or_else(|| e.external_id.clone());
    row
}

/// A task seen for the first time, before the event's fields are merged in.
fn first_sighting(t: &TaskRef, at: i64) -> TaskRow {
    TaskRow {
        rowid: 0,
        system: t.system.clone(),
        task_id: t.id.clone(),
        status: TaskStatus::Open,
        description: String::new(),
        patient_id: None,
        patient_name: None,
        assignee_id: None,
        assignee_name: None,
        team_id: None,
        team_name: None,
        requester_id: None,
        labels: Vec::new(),
        due_at: None,
        created_at: at,
        done_at: None,
        modified_at: None,
        observed_at: at,
        permalink: None,
        external_id: None,
        mine: false,
    }
}

/// The status a first sighting implies when the source did not say.
fn implied_status(kind: EventKind) -> TaskStatus {
    match kind {
        EventKind::Completed => TaskStatus::Completed,
        EventKind::Closed => TaskStatus::Closed,
        _ => TaskStatus::Open,
    }
}

/// How to apply an event.
#[derive(Debug, Clone, Copy)]
pub struct ApplyCtx<'a> {
    /// Created through this Taskbell.
    pub mine: bool,
    /// When the event arrived, by the desktop's clock (Unix ms): for display only.
    pub received_at: i64,
    /// The system Canvas can be asked about: its hints are queued for a read, not applied.
    pub readable: Option<&'a str>,
}

/// Where an event stands against what the store knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Order {
    /// It is the newest word on the task (or the first).
    Newer,
    /// The task already reflects a later state: the event only joins the timeline.
    Older,
    /// A hint about a task Canvas can be asked about: recorded and queued for a read.
    Queued,
    /// A hint with no Canvas to ask: applied in arrival order, unconfirmed.
    Unconfirmed,
}

/// `known`: the system time (µs) of the state the store holds, if any.
fn order(e: &TaskEvent, existing: Option<&TaskRow>, known: Option<i64>, ctx: &ApplyCtx) -> Order {
    if e.is_hint() {
        return if ctx.readable == Some(e.task.system.as_str()) {
            Order::Queued
        } else {
            Order::Unconfirmed
        };
    }
    match (e.at, existing) {
        (_, None) => Order::Newer,
        (Some(at), Some(_)) if known.is_some_and(|known| micros(at) < known) => Order::Older,
        (Some(_), Some(_)) => Order::Newer,
        // Taskbell's own write before Canvas answered comes before anything Canvas says.
        (None, Some(_)) => Order::Older,
    }
}

pub fn apply_event(tx: &Connection, e: &TaskEvent, ctx: &ApplyCtx) -> Result<Applied, StoreError> {
    let existing = select_task(tx, &e.task)?;
    let previous = existing.as_ref().map(|r| r.status);
    let known = match &existing {
        Some(_) => known_micros(tx, &e.task)?,
        None => None,
    };
    let order = order(e, existing.as_ref(), known, ctx);
    let said = e.status.or(match e.kind {
        EventKind::Completed | EventKind::Closed | EventKind::Reopened => {
            Some(implied_status(e.kind))
        }
        _ => None,
    });
    let current = match (order, said, previous) {
        (Order::Newer | Order::Unconfirmed, Some(s), _) => s,
        (_, _, Some(p)) => p,
        (_, _, None) => said.unwrap_or_else(|| implied_status(e.kind)),
    };
    let at = e.at.map_or(ctx.received_at, to_millis);
    let inserted = tx
        .prepare_cached(
            "INSERT INTO task_events (delivery_key, system, task_id, kind, source, occurred_at, received_at,
                                      status_before, status_after, actor, detail)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
             ON CONFLICT (system, task_id, delivery_key) DO NOTHING",
        )?
        .execute(params![
            e.delivery_key,
            e.task.system,
            e.task.id,
            e.kind.as_str(),
            e.source.as_str(),
            at,
            ctx.received_at,
            previous.map(TaskStatus::as_str),
            current.as_str(),
            e.actor,
            detail(e, order, said),
        ])?;
    let stale = order == Order::Older;
    if inserted == 0 {
        let mine = existing.as_ref().is_some_and(|r| r.mine);
        let current = previous.unwrap_or(current);
        return Ok(Applied {
            duplicate: true,
            previous,
            current,
            stale,
            hint: false,
            event: None,
            mine,
            before: holder(existing.as_ref()),
            row: existing,
            new_note: None,
        });
    }
    let event = Some(tx.last_insert_rowid());
    if order == Order::Queued {
        queue_read(tx, &e.task)?;
        let mine = existing.as_ref().is_some_and(|r| r.mine);
        return Ok(Applied {
            duplicate: false,
            previous,
            current,
            stale,
            hint: true,
            event,
            mine,
            before: holder(existing.as_ref()),
            row: existing,
            new_note: None,
        });
    }
    let before = holder(existing.as_ref());
    let row = match existing {
        Some(old) => {
            // An older event changes nothing the newer ones said, but may know what they did
            // not (the app's own create knows the patient a push leaves out).
            let mut new = if stale {
                fill_gaps(old, e)
            } else {
                merge(old, e, current, at)
            };
            new.mine |= ctx.mine;
            new.observed_at = ctx.received_at;
            update(tx, &new)?;
            new
        }
        None => {
            let mut new = merge(first_sighting(&e.task, at), e, current, at);
            new.mine |= ctx.mine;
            new.observed_at = ctx.received_at;
            new.rowid = insert(tx, &new)?;
            new
        }
    };
    if let (Some(at), false) = (e.at, stale) {
        tx.prepare_cached("UPDATE tasks SET modified_us = max(coalesce(modified_us, ?3), ?3) WHERE system = ?1 AND task_id = ?2")?
            .execute(params![e.task.system, e.task.id, micros(at)])?;
    }
    let new_note = if stale {
        None
    } else {
        count_notes(tx, e, before.is_some(), known)?
    };
    Ok(Applied {
        duplicate: false,
        previous,
        current,
        stale,
        hint: false,
        event,
        mine: row.mine,
        row: Some(row),
        before,
        new_note,
    })
}

fn holder(row: Option<&TaskRow>) -> Option<Holder> {
    row.map(|r| Holder {
        owner: r.assignee_id.clone(),
        team: r.team_id.clone(),
    })
}

/// Keeps the task's note count, and says whether `e` brought a note not counted before. A read
/// gives the count; a comment push adds one, unless a read at the same Canvas time or later
/// already counted it. A task seen for the first time has no new notes: there is nothing to
/// compare with.
fn count_notes(
    tx: &Connection,
    e: &TaskEvent,
    known_task: bool,
    known_us: Option<i64>,
) -> Result<Option<NewNote>, StoreError> {
    let pushed_comment = e.kind == EventKind::Commented
        && e.snapshot.notes.is_none()
        && e.at
            .is_some_and(|at| known_us.is_none_or(|k| micros(at) > k));
    if e.snapshot.notes.is_none() && !pushed_comment {
        return Ok(None);
    }
    let (count, _): (Option<i64>, Option<String>) = tx
        .prepare_cached(
            "SELECT note_count, last_note_by FROM tasks WHERE system = ?1 AND task_id = ?2",
        )?
        .query_row(params![e.task.system, e.task.id], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    let (next, by, new) = match &e.snapshot.notes {
        Some(seen) => (
            Some(i64::from(seen.count)),
            seen.last_by.clone(),
            count.is_some_and(|c| i64::from(seen.count) > c),
        ),
        None => (count.map(|c| c + 1), e.actor.clone(), true),
    };
    tx.prepare_cached(
        "UPDATE tasks SET note_count = ?3, last_note_by = ?4 WHERE system = ?1 AND task_id = ?2",
    )?
    .execute(params![e.task.system, e.task.id, next, by])?;
    Ok((new && known_task).then_some(NewNote { by }))
}

fn micros(t: time::OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos() / 1_000).unwrap_or(i64::MAX)
}

/// The system time (µs) of the state stored for `t`.
fn known_micros(tx: &Connection, t: &TaskRef) -> Result<Option<i64>, StoreError> {
    let known = tx
        .prepare_cached("SELECT modified_us FROM tasks WHERE system = ?1 AND task_id = ?2")?
        .query_row(params![t.system, t.id], |r| r.get(0))?;
    Ok(known)
}

/// Asks for a read of the task; a burst of hints about one task leaves one request.
fn queue_read(tx: &Connection, t: &TaskRef) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT INTO pending_reads (system, task_id) VALUES (?1, ?2)
         ON CONFLICT (system, task_id) DO UPDATE SET hints = hints + 1",
    )?
    .execute(params![t.system, t.id])?;
    Ok(())
}

/// What the timeline shows for this event: the fields the source sent, never patient names.
#[derive(Serialize)]
struct Detail<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    due: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    external_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    owner: Option<&'a str>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    stale: bool,
    /// A hint waiting for the task to be read from Canvas; `said` is what it claimed.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    hint: bool,
    /// A hint applied as it came, with no Canvas to confirm it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    unconfirmed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    said: Option<&'static str>,
}

fn detail(e: &TaskEvent, order: Order, said: Option<TaskStatus>) -> String {
    let s = &e.snapshot;
    let hint = order == Order::Queued;
    let d = Detail {
        description: s.description.as_deref(),
        due: s.due.map(to_millis),
        external_id: e.external_id.as_deref(),
        owner: s
            .owner
            .as_ref()
            .map(|o| o.display.as_deref().unwrap_or(&o.id)),
        stale: order == Order::Older,
        hint,
        unconfirmed: order == Order::Unconfirmed,
        said: said.filter(|_| hint).map(TaskStatus::as_str),
    };
    serde_json::to_string(&d).unwrap_or_else(|_| "{}".into())
}

const INSERT: &str = "INSERT INTO tasks (system, task_id, status, description, patient_id, patient_name,
        assignee_id, assignee_name, team_id, team_name, requester_id, labels, due_at, created_at, done_at,
        modified_at, observed_at, permalink, external_id, mine)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)";

const UPDATE: &str = "UPDATE tasks SET status = ?3, description = ?4, patient_id = ?5, patient_name = ?6,
        assignee_id = ?7, assignee_name = ?8, team_id = ?9, team_name = ?10, requester_id = ?11, labels = ?12,
        due_at = ?13, created_at = ?14, done_at = ?15, modified_at = ?16, observed_at = ?17, permalink = ?18,
        external_id = ?19, mine = ?20
    WHERE system = ?1 AND task_id = ?2";

fn write(tx: &Connection, sql: &str, r: &TaskRow) -> Result<(), StoreError> {
    let labels = serde_json::to_string(&r.labels).unwrap_or_else(|_| "[]".into());
    tx.prepare_cached(sql)?.execute(params![
        r.system,
        r.task_id,
        r.status.as_str(),
        r.description,
        r.patient_id,
        r.patient_name,
        r.assignee_id,
        r.assignee_name,
        r.team_id,
        r.team_name,
        r.requester_id,
        labels,
        r.due_at,
        r.created_at,
        r.done_at,
        r.modified_at,
        r.observed_at,
        r.permalink,
        r.external_id,
        r.mine,
    ])?;
    Ok(())
}

fn insert(tx: &Connection, r: &TaskRow) -> Result<i64, StoreError> {
    write(tx, INSERT, r)?;
    Ok(tx.last_insert_rowid())
}

fn update(tx: &Connection, r: &TaskRow) -> Result<(), StoreError> {
    write(tx, UPDATE, r)
}
