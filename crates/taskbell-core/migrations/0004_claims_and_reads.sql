-- An outbox entry is claimed before it is sent: `sending` with a lease, under a claim id only
-- the claimant knows, so neither the retry loop nor a second process sharing this database can
-- send it at the same time. A lease that ran out means the sender died: the entry is then
-- treated as uncertain (looked for in Canvas before it is sent again). A CHECK constraint
-- cannot be changed in place, hence the rebuild.
CREATE TABLE outbox_claimed (
    rowid           INTEGER PRIMARY KEY,
    local_id        TEXT    NOT NULL UNIQUE,
    system          TEXT    NOT NULL,
    draft           TEXT    NOT NULL,
    state           TEXT    NOT NULL CHECK (state IN ('pending', 'sending', 'uncertain', 'created', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    task_id         TEXT,
    created_at      INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    lease_until     INTEGER,
    claim           TEXT
);

INSERT INTO outbox_claimed (rowid, local_id, system, draft, state, attempts, last_error, task_id, created_at, next_attempt_at)
SELECT rowid, local_id, system, draft, state, attempts, last_error, task_id, created_at, next_attempt_at FROM outbox;

DROP TABLE outbox;
ALTER TABLE outbox_claimed RENAME TO outbox;

CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE state IN ('pending', 'uncertain');
CREATE INDEX outbox_leased ON outbox (lease_until) WHERE state = 'sending';

-- Cursors taken before Canvas's own clock ordered everything may hold the desktop's time:
-- start over from Canvas's.
DELETE FROM poll_cursors;

-- Tasks a hint (a push with no Canvas time) said changed, waiting to be read from Canvas. One
-- row per task however many hints came; `hints` counts them, so a read clears the row only if
-- no hint came while it was under way.
CREATE TABLE pending_reads (
    system  TEXT    NOT NULL,
    task_id TEXT    NOT NULL,
    hints   INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (system, task_id)
) WITHOUT ROWID;
