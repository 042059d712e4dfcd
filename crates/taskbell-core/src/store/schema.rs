//! The schema, as an ordered list of SQL files. Append a file to change it; never edit one that
//! has shipped.

use super::StoreError;
use rusqlite::Connection;
use rusqlite_migration::{Migrations, M};

fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(include_str!("../../migrations/0001_initial.sql")),
        M::up(include_str!(
            "../../migrations/0002_events_keyed_per_task.sql"
        )),
        M::up(include_str!("../../migrations/0003_no_open_index.sql")),
        M::up(include_str!("../../migrations/0004_claims_and_reads.sql")),
        M::up(include_str!("../../migrations/0005_announcements.sql")),
        M::up(include_str!("../../migrations/0006_modified_micros.sql")),
        M::up(include_str!("../../migrations/0007_outbox_actions.sql")),
        M::up(include_str!("../../migrations/0008_reminders.sql")),
        M::up(include_str!("../../migrations/0009_notices.sql")),
    ])
}

pub(super) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    migrations()
        .to_latest(conn)
        .map_err(|e| StoreError::Migration(e.to_string()))
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    #[test]
    fn migrations_are_valid() {
        assert!(super::migrations().validate().is_ok());
    }

    const INSERT_EVENT: &str = "INSERT INTO task_events (delivery_key, system, task_id, kind, source, occurred_at, received_at, status_after)
                                VALUES (?1, 'demo', ?2, 'completed', 'webhook', 5, 6, 'completed')
                                ON CONFLICT DO NOTHING";

    #[test]
    fn keying_events_per_task_keeps_every_event_and_still_refuses_a_repeat() {
        let mut conn = Connection::open_in_memory().expect("database");
        super::migrations()
            .to_version(&mut conn, 1)
            .expect("the first schema");
        for (key, task) in [("k1", "t1"), ("k2", "t1"), ("k3", "t2")] {
            conn.execute(INSERT_EVENT, [key, task])
                .expect("an event under the first schema");
        }
        super::migrate(&mut conn).expect("upgrade");

        let kept: Vec<(i64, String, String)> = conn
            .prepare("SELECT rowid, delivery_key, task_id FROM task_events ORDER BY rowid")
            .and_then(|mut s| {
                s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                    .collect()
            })
            .expect("events");
        let expected = [(1, "k1", "t1"), (2, "k2", "t1"), (3, "k3", "t2")]
            .map(|(n, k, t)| (n, k.to_string(), t.to_string()));
        assert_eq!(kept, expected);

        assert_eq!(
            conn.execute(INSERT_EVENT, ["k1", "t1"]).expect("a repeat"),
            0,
            "a repeated delivery is refused"
        );
        assert_eq!(
            conn.execute(INSERT_EVENT, ["k4", "t1"]).expect("a new one"),
            1
        );
        let plan: String = conn
            .query_row(
                "EXPLAIN QUERY PLAN SELECT * FROM task_events WHERE system = 'demo' AND task_id = 't1' ORDER BY occurred_at, rowid",
                [],
                |r| r.get(3),
            )
            .expect("plan");
        assert!(
            plan.contains("task_events_by_task"),
            "a task's timeline reads its index: {plan}"
        );
    }

    #[test]
    fn an_outbox_from_before_actions_keeps_its_entries_and_refuses_an_entry_with_neither() {
        let mut conn = Connection::open_in_memory().expect("database");
        super::migrations()
            .to_version(&mut conn, 6)
            .expect("the schema before actions");
        conn.execute(
            "INSERT INTO outbox (local_id, system, draft, state, attempts, created_at, next_attempt_at, lease_until, claim)
             VALUES ('l1', 'demo', '{\"description\":\"Fax\"}', 'sending', 2, 5, 6, 7, 'c1')",
            [],
        )
        .expect("an entry under the old schema");
        super::migrate(&mut conn).expect("upgrade");
        let kept: (String, Option<String>, String, i64, Option<String>) = conn
            .query_row(
                "SELECT draft, action, state, attempts, claim FROM outbox WHERE local_id = 'l1'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .expect("the entry");
        assert_eq!(
            kept,
            (
                "{\"description\":\"Fax\"}".into(),
                None,
                "sending".into(),
                2,
                Some("c1".into())
            )
        );
        let neither = conn.execute(
            "INSERT INTO outbox (local_id, system, state, created_at, next_attempt_at) VALUES ('l2', 'demo', 'pending', 1, 1)",
            [],
        );
        assert!(neither.is_err(), "an entry must hold a draft or an action");
        let untargeted = conn.execute(
            "INSERT INTO outbox (local_id, system, action, state, created_at, next_attempt_at) VALUES ('l3', 'demo', '{}', 'pending', 1, 1)",
            [],
        );
        assert!(untargeted.is_err(), "an action must name its task");
    }
}
