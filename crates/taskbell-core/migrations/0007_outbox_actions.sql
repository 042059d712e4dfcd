-- The outbox also carries actions on existing tasks (complete, comment, assign, a due date):
-- an entry holds either a draft to create or an action on `task_id`, never both. An action
-- that reached Canvas ends `done`. A CHECK constraint cannot be changed in place, hence the
-- rebuild.
CREATE TABLE outbox_actions (
    rowid           INTEGER PRIMARY KEY,
    local_id        TEXT    NOT NULL UNIQUE,
    system          TEXT    NOT NULL,
    draft           TEXT,
    action          TEXT,
    state           TEXT    NOT NULL CHECK (state IN ('pending', 'sending', 'uncertain', 'created', 'done', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    task_id         TEXT,
    created_at      INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    lease_until     INTEGER,
    claim           TEXT,
    CHECK ((draft IS NULL) <> (action IS NULL)),
    CHECK (action IS NULL OR task_id IS NOT NULL)
);

INSERT INTO outbox_actions (rowid, local_id, system, draft, state, attempts, last_error, task_id, created_at, next_attempt_at, lease_until, claim)
SELECT rowid, local_id, system, draft, state, attempts, last_error, task_id, created_at, next_attempt_at, lease_until, claim FROM outbox;

DROP TABLE outbox;
ALTER TABLE outbox_actions RENAME TO outbox;

CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE state IN ('pending', 'uncertain');
CREATE INDEX outbox_leased ON outbox (lease_until) WHERE state = 'sending';
