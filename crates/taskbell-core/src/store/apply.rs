//! Applying one event to the store: record the delivery (or notice it is a repeat), then merge
//! what the event knows into the task, inside the caller's transaction.
//!
//! An event older than what the task already reflects joins the timeline but changes nothing:
//! sources race (a push and a reconcile), and the newest word wins.

use super::StoreError;
use crate::task::{EventKind, Party, TaskEvent, TaskStatus};
use crate::time_util::{now_millis, to_millis};
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::json;

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
}

impl Applied {
    /// A transition the user may be told about: the stored status really moved.
    pub fn transitioned(&self) -> bool {
        !self.duplicate && self.previous.is_some_and(|p| p != self.current)
    }
}

#[derive(Debug, Clone, Default)]
struct Record {
    status: Option<TaskStatus>,
    description: String,
    patient: Option<Party>,
    assignee: Option<Party>,
    team: Option<Party>,
    requester_id: Option<String>,
    labels: Vec<String>,
    due_at: Option<i64>,
    created_at: i64,
    done_at: Option<i64>,
    modified_at: Option<i64>,
    observed_at: i64,
    permalink: Option<String>,
    external_id: Option<String>,
    mine: bool,
}

fn load(tx: &Connection, e: &TaskEvent) -> Result<Option<Record>, StoreError> {
    let row = tx
        .prepare_cached(
            "SELECT status, description, patient_id, patient_name, assignee_id, assignee_name, team_id, team_name,
                    requester_id, labels, due_at, created_at, done_at, modified_at, observed_at, permalink,
                    external_id, mine
             FROM tasks WHERE system = ?1 AND task_id = ?2",
        )?
        .query_row(params![e.task.system, e.task.id], |r| {
                let party = |id: Option<String>, name: Option<String>| id.map(|id| Party { id, display: name });
                let labels: String = r.get(9)?;
                Ok(Record {
                    status: r.get::<_, String>(0)?.parse().ok(),
                    description: r.get(1)?,
                    patient: party(r.get(2)?, r.get(3)?),
                    assignee: party(r.get(4)?, r.get(5)?),
                    team: party(r.get(6)?, r.get(7)?),
                    requester_id: r.get(8)?,
                    labels: serde_json::from_str(&labels).unwrap_or_default(),
                    due_at: r.get(10)?,
                    created_at: r.get(11)?,
                    done_at: r.get(12)?,
                    modified_at: r.get(13)?,
                    observed_at: r.get(14)?,
                    permalink: r.get(15)?,
                    external_id: r.get(16)?,
                    mine: r.get(17)?,
                })
        })
        .optional()?;
    Ok(row)
}

/// A new party replaces the old one; a known name survives a source that sent only the id.
fn merge_party(old: Option<Party>, new: Option<Party>, full: bool) -> Option<Party> {
    match (old, new) {
        (Some(o), Some(mut n)) => {
            if n.display.is_none() && o.id == n.id {
                n.display = o.display;
            }
            Some(n)
        }
        (old, None) if !full => old,
        (_, new) => new,
    }
}

fn merge(mut rec: Record, e: &TaskEvent, status: TaskStatus, at: i64) -> Record {
    let s = &e.snapshot;
    if let Some(d) = &s.description {
        rec.description = d.clone();
    }
    rec.patient = merge_party(rec.patient, s.patient.clone(), s.full);
    rec.assignee = merge_party(rec.assignee, s.owner.clone(), s.full);
    rec.team = merge_party(rec.team, s.team.clone(), s.full);
    if let Some(r) = &s.requester {
        rec.requester_id = Some(r.id.clone());
    }
    if let Some(l) = &s.labels {
        rec.labels = l.clone();
    }
    if s.due.is_some() || s.full {
        rec.due_at = s.due.map(to_millis);
    }
    if let Some(a) = s.authored_on {
        rec.created_at = to_millis(a);
    }
    if let Some(m) = s.modified {
        rec.modified_at = Some(to_millis(m));
    }
    if s.permalink.is_some() {
        rec.permalink = s.permalink.clone();
    }
    if e.external_id.is_some() {
        rec.external_id = e.external_id.clone();
    }
    if rec.status != Some(status) {
        rec.done_at = status.is_done().then_some(at);
    }
    rec.status = Some(status);
    rec.observed_at = rec.observed_at.max(at);
    rec
}

/// Takes from `e` only what the record does not know yet.
fn fill_gaps(mut rec: Record, e: &TaskEvent) -> Record {
    let s = &e.snapshot;
    if rec.description.is_empty() {
        rec.description = s.description.clone().unwrap_or_default();
    }
    rec.patient = rec.patient.or_else(|| s.patient.clone());
    rec.assignee = rec.assignee.or_else(|| s.owner.clone());
    rec.team = rec.team.or_else(|| s.team.clone());
    rec.requester_id = rec.requester_id.or_else(|| s.requester.as_ref().map(|r| r.id.clone()));
    if rec.labels.is_empty() {
        rec.labels = s.labels.clone().unwrap_or_default();
    }
    rec.due_at = rec.due_at.or(s.due.map(to_millis));
    rec.permalink = rec.permalink.or_else(|| s.permalink.clone());
    rec.external_id = rec.external_id.or_else(|| e.external_id.clone());
    rec
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
    let existing = load(tx, e)?;
    let previous = existing.as_ref().and_then(|r| r.status);
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
    let inserted = tx.prepare_cached(
        "INSERT INTO task_events (delivery_key, system, task_id, kind, source, occurred_at, received_at,
                                  status_before, status_after, actor, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
         ON CONFLICT (delivery_key) DO NOTHING",
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
        ],
    )?;
    let was_mine = existing.as_ref().is_some_and(|r| r.mine);
    if inserted == 0 {
        return Ok(Applied { duplicate: true, previous, current: previous.unwrap_or(current), stale, mine: was_mine });
    }
    if let (true, Some(old)) = (stale, existing.clone()) {
        // An older event changes nothing the newer ones said, but may know what they did not
        // (the app's own create knows the patient a push leaves out).
        let mut rec = fill_gaps(old, e);
        rec.mine |= mine;
        write(tx, e, &rec)?;
        return Ok(Applied { duplicate: false, previous, current, stale, mine: rec.mine });
    }
    let base = existing.unwrap_or(Record { created_at: at, observed_at: at, ..Record::default() });
    let mut rec = merge(base, e, current, at);
    rec.mine |= mine;
    write(tx, e, &rec)?;
    Ok(Applied { duplicate: false, previous, current, stale, mine: rec.mine })
}

/// What the timeline shows for this event: the fields the source sent, never patient names.
fn detail(e: &TaskEvent, stale: bool) -> String {
    let s = &e.snapshot;
    let mut d = json!({});
    if let Some(desc) = &s.description {
        d["description"] = json!(desc);
    }
    if let Some(o) = &s.owner {
        d["owner"] = json!(o.display.as_deref().unwrap_or(&o.id));
    }
    if let Some(due) = s.due {
        d["due"] = json!(to_millis(due));
    }
    if let Some(x) = &e.external_id {
        d["external_id"] = json!(x);
    }
    if stale {
        d["stale"] = json!(true);
    }
    d.to_string()
}

fn write(tx: &Connection, e: &TaskEvent, r: &Record) -> Result<(), StoreError> {
    let status = r.status.unwrap_or(TaskStatus::Open);
    let id = |p: &Option<Party>| p.as_ref().map(|p| p.id.clone());
    let name = |p: &Option<Party>| p.as_ref().and_then(|p| p.display.clone());
    tx.prepare_cached(
        "INSERT INTO tasks (system, task_id, status, description, patient_id, patient_name, assignee_id,
                            assignee_name, team_id, team_name, requester_id, labels, due_at, created_at,
                            done_at, modified_at, observed_at, permalink, external_id, mine)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)
         ON CONFLICT (system, task_id) DO UPDATE SET
            status = excluded.status, description = excluded.description,
            patient_id = excluded.patient_id, patient_name = excluded.patient_name,
            assignee_id = excluded.assignee_id, assignee_name = excluded.assignee_name,
            team_id = excluded.team_id, team_name = excluded.team_name,
            requester_id = excluded.requester_id, labels = excluded.labels, due_at = excluded.due_at,
            created_at = excluded.created_at, done_at = excluded.done_at, modified_at = excluded.modified_at,
            observed_at = excluded.observed_at, permalink = excluded.permalink,
            external_id = excluded.external_id, mine = excluded.mine",
    )?
    .execute(params![
            e.task.system,
            e.task.id,
            status.as_str(),
            r.description,
            id(&r.patient),
            name(&r.patient),
            id(&r.assignee),
            name(&r.assignee),
            id(&r.team),
            name(&r.team),
            r.requester_id,
            serde_json::to_string(&r.labels).unwrap_or_else(|_| "[]".into()),
            r.due_at,
            r.created_at,
            r.done_at,
            r.modified_at,
            r.observed_at,
            r.permalink,
            r.external_id,
            r.mine,
        ],
    )?;
    Ok(())
}
