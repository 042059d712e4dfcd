-- A delivery is always about one task, so its key is unique within that task. One index on
-- (system, task_id, delivery_key) then serves both the dedupe and a task's timeline: every event
-- costs one index entry near its task's others, instead of two (one at a random place among all
-- keys ever seen). A UNIQUE column constraint cannot be dropped in place, hence the rebuild.
CREATE TABLE task_events_keyed (
    rowid         INTEGER PRIMARY KEY,
    delivery_key  TEXT    NOT NULL,
    system        TEXT    NOT NULL,
    task_id       TEXT    NOT NULL,
    kind          TEXT    NOT NULL,
    source        TEXT    NOT NULL,
    occurred_at   INTEGER NOT NULL,
    received_at   INTEGER NOT NULL,
    status_before TEXT,
    status_after  TEXT,
    actor         TEXT,
    detail        TEXT    NOT NULL DEFAULT '{}'
);

INSERT INTO task_events_keyed
SELECT rowid, delivery_key, system, task_id, kind, source, occurred_at, received_at,
       status_before, status_after, actor, detail
FROM task_events;

DROP TABLE task_events;
ALTER TABLE task_events_keyed RENAME TO task_events;

CREATE UNIQUE INDEX task_events_by_task ON task_events (system, task_id, delivery_key);
