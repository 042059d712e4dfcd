-- Reminders that have fired: one per task, kind and due date, so each fires once, a restart
-- does not repeat it, and a due date moved later arms it again.
CREATE TABLE reminders_fired (
    system   TEXT    NOT NULL,
    task_id  TEXT    NOT NULL,
    kind     TEXT    NOT NULL CHECK (kind IN ('due_soon', 'overdue')),
    due_at   INTEGER NOT NULL,
    fired_at INTEGER NOT NULL,
    PRIMARY KEY (system, task_id, kind, due_at)
) WITHOUT ROWID;

-- The open tasks with a due date, soonest first: what the next reminder is looked for in.
CREATE INDEX tasks_open_by_due ON tasks (due_at) WHERE status = 'open' AND due_at IS NOT NULL;
