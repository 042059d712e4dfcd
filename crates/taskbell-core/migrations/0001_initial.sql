-- Tasks Taskbell knows of, from this user or seen through any source. A task is its system
-- (a Canvas instance, or Fragment) plus its id there.
CREATE TABLE tasks (
    rowid         INTEGER PRIMARY KEY,
    system        TEXT    NOT NULL,
    task_id       TEXT    NOT NULL,
    status        TEXT    NOT NULL CHECK (status IN ('open', 'completed', 'closed')),
    description   TEXT    NOT NULL DEFAULT '',
    patient_id    TEXT,
    patient_name  TEXT,
    assignee_id   TEXT,
    assignee_name TEXT,
    team_id       TEXT,
    team_name     TEXT,
    requester_id  TEXT,
    labels        TEXT    NOT NULL DEFAULT '[]',
    due_at        INTEGER,
    created_at    INTEGER NOT NULL,   -- authoredOn when known, else first seen (Unix ms)
    done_at       INTEGER,            -- when it became completed or closed
    modified_at   INTEGER,            -- Canvas's own last-modified, when a source said
    observed_at   INTEGER NOT NULL,   -- occurred_at of the newest event applied; older ones only join the timeline
    permalink     TEXT,
    external_id   TEXT,
    mine          INTEGER NOT NULL DEFAULT 0,  -- created through this Taskbell
    UNIQUE (system, task_id)
);

-- History lists newest first with keyset paging on (created_at, rowid).
CREATE INDEX tasks_by_created  ON tasks (created_at, rowid);
CREATE INDEX tasks_by_status   ON tasks (status, created_at, rowid);
CREATE INDEX tasks_by_patient  ON tasks (patient_id, created_at, rowid);
CREATE INDEX tasks_by_assignee ON tasks (assignee_id, created_at, rowid);
CREATE INDEX tasks_by_done     ON tasks (done_at) WHERE done_at IS NOT NULL;
CREATE INDEX tasks_open        ON tasks (system, mine) WHERE status = 'open';

CREATE VIRTUAL TABLE tasks_fts USING fts5(
    description, patient_name, assignee_name,
    content = 'tasks', content_rowid = 'rowid',
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER tasks_fts_insert AFTER INSERT ON tasks BEGIN
    INSERT INTO tasks_fts (rowid, description, patient_name, assignee_name)
    VALUES (new.rowid, new.description, new.patient_name, new.assignee_name);
END;

CREATE TRIGGER tasks_fts_delete AFTER DELETE ON tasks BEGIN
    INSERT INTO tasks_fts (tasks_fts, rowid, description, patient_name, assignee_name)
    VALUES ('delete', old.rowid, old.description, old.patient_name, old.assignee_name);
END;

-- Only when an indexed column really changed: most updates (a status, a due date) leave the
-- index alone.
CREATE TRIGGER tasks_fts_update AFTER UPDATE OF description, patient_name, assignee_name ON tasks
WHEN old.description IS NOT new.description
  OR old.patient_name IS NOT new.patient_name
  OR old.assignee_name IS NOT new.assignee_name
BEGIN
    INSERT INTO tasks_fts (tasks_fts, rowid, description, patient_name, assignee_name)
    VALUES ('delete', old.rowid, old.description, old.patient_name, old.assignee_name);
    INSERT INTO tasks_fts (rowid, description, patient_name, assignee_name)
    VALUES (new.rowid, new.description, new.patient_name, new.assignee_name);
END;

-- Every delivery from every source. The unique delivery key is what turns at-least-once
-- delivery into exactly-once history.
CREATE TABLE task_events (
    rowid         INTEGER PRIMARY KEY,
    delivery_key  TEXT    NOT NULL UNIQUE,
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

CREATE INDEX task_events_by_task ON task_events (system, task_id, occurred_at, rowid);

-- Where the poller left off, per system, and whether that system's search takes `modified`.
CREATE TABLE poll_cursors (
    system             TEXT PRIMARY KEY,
    cursor_at          INTEGER NOT NULL,
    modified_supported INTEGER,
    updated_at         INTEGER NOT NULL
);

-- Tasks the user asked for, written before the POST so a crash or an outage loses none.
CREATE TABLE outbox (
    rowid           INTEGER PRIMARY KEY,
    local_id        TEXT    NOT NULL UNIQUE,
    system          TEXT    NOT NULL,
    draft           TEXT    NOT NULL,
    state           TEXT    NOT NULL CHECK (state IN ('pending', 'uncertain', 'created', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    task_id         TEXT,
    created_at      INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL
);

CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE state IN ('pending', 'uncertain');
