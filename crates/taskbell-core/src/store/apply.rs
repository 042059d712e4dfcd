//! Applying one event to the store: record the delivery (or notice it is a repeat), then merge
//! what the event knows into the task, inside the caller's transaction.
//!
//! An event older than what the task already reflects joins the timeline but changes nothing:
//! sources race (a push and a reconcile), and the newest word wins.
//!
//! Only the columns an event really changed are written: every column in an UPDATE's SET list
//! rewrites each index that holds it, and under a burst of events that was most of a commit.

use super::history::select_task;
use super::{StoreError, TaskRow};
use crate::task::{EventKind, Party, TaskEvent, TaskRef, TaskStatus};
use crate::time_util::{now_millis, to_millis};
use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection};
use serde::Serialize;
use std::sync::LazyLock;

#[derive(Debug, Clone, PartialEq)]
pub struct Applied {
    /// The delivery key was seen before; nothing was written.
    pub duplicate: bool,
    /// The status before this event; `None` when the task was new to the store.
    pub previous: Option<TaskStatus>,
    pub current: TaskStatus,
    /// The event was older than what the store already had, so it changed nothing.
    pub stale: bool,
    /// Created through this Taskbell.
    pub mine: bool,
    /// The task as stored once the event is applied (as it was, for a duplicate).
    pub row: Option<TaskRow>,
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
    set_party(&mut row.patient_id, &mut row.patient_name, s.patient.as_ref(), s.full);
    set_party(&mut row.assignee_id, &mut row.assignee_name, s.owner.as_ref(), s.full);
    set_party(&mut row.team_id, &mut row.team_name, s.team.as_ref(), s.full);
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
    if let Some(m) = s.modified {
        row.modified_at = Some(to_millis(m));
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
    row.observed_at = row.observed_at.max(at);
    row
}

/// Takes from `e` only what the row does not know yet.
fn fill_gaps(mut row: TaskRow, e: &TaskEvent) -> TaskRow {
    let s = &e.snapshot;
    if row.description.is_empty() {
        row.description = s.description.clone().unwrap_or_default();
    }
    fill_party(&mut row.patient_id, &mut row.patient_name, s.patient.as_ref());
    fill_party(&mut row.assignee_id, &mut row.assignee_name, s.owner.as_ref());
    fill_party(&mut row.team_id, &mut row.team_name, s.team.as_ref());
    row.requester_id = row.requester_id.or_else(|| s.requester.as_ref().map(|r| r.id.clone()));
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

pub fn apply_event(tx: &Connection, e: &TaskEvent, mine: bool) -> Result<Applied, StoreError> {
    let at = to_millis(e.occurred_at);
    let existing = select_task(tx, &e.task)?;
    let previous = existing.as_ref().map(|r| r.status);
    let stale = existing.as_ref().is_some_and(|r| r.observed_at > at);
    let said = e.status.or(match e.kind {
        EventKind::Completed | EventKind::Closed | EventKind::Reopened => Some(implied_status(e.kind)),
        _ => None,
    });
    let current = match (stale, said, previous) {
        (false, Some(s), _) => s,
        (_, _, Some(p)) => p,
        (_, _, None) => said.unwrap_or_else(|| implied_status(e.kind)),
    };
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
            now_millis(),
            previous.map(TaskStatus::as_str),
            current.as_str(),
            e.actor,
            detail(e, stale),
        ])?;
    if inserted == 0 {
        let mine = existing.as_ref().is_some_and(|r| r.mine);
        let current = previous.unwrap_or(current);
        return Ok(Applied { duplicate: true, previous, current, stale, mine, row: existing });
    }
    let row = match existing {
        Some(old) => {
            // An older event changes nothing the newer ones said, but may know what they did
            // not (the app's own create knows the patient a push leaves out).
            let mut new = if stale { fill_gaps(old.clone(), e) } else { merge(old.clone(), e, current, at) };
            new.mine |= mine;
            update(tx, &old, &new)?;
            new
        }
        None => {
            let mut new = merge(first_sighting(&e.task, at), e, current, at);
            new.mine |= mine;
            new.rowid = insert(tx, &new)?;
            new
        }
    };
    Ok(Applied { duplicate: false, previous, current, stale, mine: row.mine, row: Some(row) })
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
}

fn detail(e: &TaskEvent, stale: bool) -> String {
    let s = &e.snapshot;
    let d = Detail {
        description: s.description.as_deref(),
        due: s.due.map(to_millis),
        external_id: e.external_id.as_deref(),
        owner: s.owner.as_ref().map(|o| o.display.as_deref().unwrap_or(&o.id)),
        stale,
    };
    serde_json::to_string(&d).unwrap_or_else(|_| "{}".into())
}

/// The columns an event can change, each with how to read it from a row and how to tell whether
/// two rows differ in it.
struct Column {
    name: &'static str,
    value: fn(&TaskRow) -> Value,
    differs: fn(&TaskRow, &TaskRow) -> bool,
}

fn text(s: &Option<String>) -> Value {
    s.clone().map_or(Value::Null, Value::Text)
}

fn int(i: Option<i64>) -> Value {
    i.map_or(Value::Null, Value::Integer)
}

macro_rules! columns {
    ($($field:ident => $value:expr),* $(,)?) => {
        [$(Column {
            name: stringify!($field),
            value: |r| ($value)(r),
            differs: |a, b| a.$field != b.$field,
        }),*]
    };
}

const COLUMNS: [Column; 18] = columns![
    status => |r: &TaskRow| Value::Text(r.status.as_str().into()),
    description => |r: &TaskRow| Value::Text(r.description.clone()),
    patient_id => |r: &TaskRow| text(&r.patient_id),
    patient_name => |r: &TaskRow| text(&r.patient_name),
    assignee_id => |r: &TaskRow| text(&r.assignee_id),
    assignee_name => |r: &TaskRow| text(&r.assignee_name),
    team_id => |r: &TaskRow| text(&r.team_id),
    team_name => |r: &TaskRow| text(&r.team_name),
    requester_id => |r: &TaskRow| text(&r.requester_id),
    labels => |r: &TaskRow| Value::Text(serde_json::to_string(&r.labels).unwrap_or_else(|_| "[]".into())),
    due_at => |r: &TaskRow| int(r.due_at),
    created_at => |r: &TaskRow| Value::Integer(r.created_at),
    done_at => |r: &TaskRow| int(r.done_at),
    modified_at => |r: &TaskRow| int(r.modified_at),
    observed_at => |r: &TaskRow| Value::Integer(r.observed_at),
    permalink => |r: &TaskRow| text(&r.permalink),
    external_id => |r: &TaskRow| text(&r.external_id),
    mine => |r: &TaskRow| Value::Integer(r.mine.into()),
];

static INSERT: LazyLock<String> = LazyLock::new(|| {
    let names: Vec<&str> = COLUMNS.iter().map(|c| c.name).collect();
    let slots: Vec<String> = (3..=COLUMNS.len() + 2).map(|i| format!("?{i}")).collect();
    format!("INSERT INTO tasks (system, task_id, {}) VALUES (?1, ?2, {})", names.join(", "), slots.join(", "))
});

fn insert(tx: &Connection, r: &TaskRow) -> Result<i64, StoreError> {
    let head = [Value::Text(r.system.clone()), Value::Text(r.task_id.clone())];
    tx.prepare_cached(&INSERT)?.execute(params_from_iter(head.into_iter().chain(COLUMNS.iter().map(|c| (c.value)(r)))))?;
    Ok(tx.last_insert_rowid())
}

fn update(tx: &Connection, old: &TaskRow, new: &TaskRow) -> Result<(), StoreError> {
    let changed: Vec<&Column> = COLUMNS.iter().filter(|c| (c.differs)(old, new)).collect();
    if changed.is_empty() {
        return Ok(());
    }
    let set: Vec<String> = changed.iter().enumerate().map(|(n, c)| format!("{} = ?{}", c.name, n + 1)).collect();
    let sql = format!("UPDATE tasks SET {} WHERE rowid = ?{}", set.join(", "), changed.len() + 1);
    let args = changed.iter().map(|c| (c.value)(new)).chain([Value::Integer(old.rowid)]);
    tx.prepare_cached(&sql)?.execute(params_from_iter(args))?;
    Ok(())
}
