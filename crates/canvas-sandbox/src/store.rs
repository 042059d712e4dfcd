//! The tasks, in creation order, and the one rule for how a change moves `modified`.

use std::collections::{BTreeMap, HashMap};

use time::OffsetDateTime;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    Requested,
    Completed,
    Cancelled,
}

impl Status {
    pub fn parse(s: &str) -> Option<Status> {
        match s {
            "requested" => Some(Status::Requested),
            "completed" => Some(Status::Completed),
            "cancelled" => Some(Status::Cancelled),
            _ => None,
        }
    }

    pub fn fhir(self) -> &'static str {
        match self {
            Status::Requested => "requested",
            Status::Completed => "completed",
            Status::Cancelled => "cancelled",
        }
    }

    /// The word the relay payload and the Canvas UI use.
    pub fn relay(self) -> &'static str {
        match self {
            Status::Requested => "open",
            Status::Completed => "completed",
            Status::Cancelled => "closed",
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Note {
    pub id: String,
    pub text: String,
    pub time: OffsetDateTime,
    pub author: String,
}

#[derive(Debug, Clone)]
pub(crate) struct TaskRecord {
    pub id: String,
    pub seq: u64,
    pub status: Status,
    pub description: Option<String>,
    pub requester: String,
    pub patient: Option<String>,
    pub owner: Option<String>,
    pub group: Option<String>,
    pub authored_on: OffsetDateTime,
    pub due: Option<OffsetDateTime>,
    pub notes: Vec<Note>,
    pub labels: Vec<String>,
    pub modified: OffsetDateTime,
    pub version: u64,
}

impl TaskRecord {
    /// Records a change at `now`, kept at microseconds as Canvas's `lastModified` is. `now` is
    /// the sandbox clock's reading, which a test may move backwards; a task's `modified` still
    /// only moves forwards, by at least a microsecond, so every change has a later time.
    pub fn touch(&mut self, now: OffsetDateTime) {
        let next = self.modified + time::Duration::microseconds(1);
        self.modified = now.max(next);
        self.version += 1;
    }
}

#[derive(Default)]
pub(crate) struct Store {
    tasks: BTreeMap<u64, TaskRecord>,
    ids: HashMap<String, u64>,
    next_seq: u64,
}

impl Store {
    pub fn next_seq(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq
    }

    pub fn insert(&mut self, task: TaskRecord) {
        self.ids.insert(task.id.clone(), task.seq);
        self.tasks.insert(task.seq, task);
    }

    pub fn get(&self, id: &str) -> Option<&TaskRecord> {
        self.ids.get(id).and_then(|seq| self.tasks.get(seq))
    }

    pub fn get_mut(&mut self, id: &str) -> Option<&mut TaskRecord> {
        let seq = self.ids.get(id)?;
        self.tasks.get_mut(seq)
    }

    /// In creation order, the stable order searches fall back on.
    pub fn iter(&self) -> impl Iterator<Item = &TaskRecord> {
        self.tasks.values()
    }

    pub fn len(&self) -> usize {
        self.tasks.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock;

    fn task(now: OffsetDateTime) -> TaskRecord {
        TaskRecord {
            id: "t".into(),
            seq: 1,
            status: Status::Requested,
            description: None,
            requester: "r".into(),
            patient: None,
            owner: None,
            group: None,
            authored_on: now,
            due: None,
            notes: vec![],
            labels: vec![],
            modified: now,
            version: 1,
        }
    }

    #[test]
    fn every_touch_moves_modified_forward_without_rounding() {
        let clock = clock::Clock::default();
        let mut t = task(clock.now());
        for _ in 0..5 {
            let before = t.modified;
            t.touch(before);
            assert_eq!(t.modified - before, time::Duration::microseconds(1));
        }
        assert_eq!(t.version, 6);
        let later = t.modified + time::Duration::milliseconds(1500);
        t.touch(later);
        assert_eq!(
            t.modified, later,
            "a change takes the clock's time as it is"
        );
    }

    #[test]
    fn modified_never_goes_back_when_the_clock_does() {
        let clock = clock::Clock::default();
        let mut t = task(clock.now());
        let before = t.modified;
        clock.set_offset(time::Duration::minutes(-10));
        t.touch(clock.now());
        assert!(t.modified > before);
        clock.set_offset(time::Duration::minutes(10));
        t.touch(clock.now());
        assert!(t.modified - before > time::Duration::minutes(9));
    }
}
