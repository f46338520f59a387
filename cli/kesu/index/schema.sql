-- The case index: one row per case file, rebuilt from the archive at any time.
-- Text columns hold the file's values; a value that is not text is JSON after
-- the character U+001E (see record.py). Instants are microseconds since 1970.

CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);

CREATE TABLE cases (
    n INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,      -- cases/YYYY/MM/ID.yaml
    blob TEXT NOT NULL,             -- git blob id of the content indexed
    error TEXT,                     -- why the file cannot be read (then no other column)
    error_line INTEGER,
    id, state, received, channel, category, severity, owner, summary,  -- kesu list
    store, subcategory, risk,
    outcome,                        -- closed: how (reason, satisfaction); else its state
    received_us INTEGER, resolved_us INTEGER, visit_us INTEGER, closed_us INTEGER,
    timers_ok INTEGER,              -- 0: the case's times keep deadlines from being computed
    marked INTEGER,                 -- 1: a list column holds JSON (see record.py)
    facts BLOB                      -- the fields the reports read, as zlib-compressed JSON
);
-- ordered as kesu list orders, and holding its columns: a whole list reads only this index
CREATE INDEX cases_received ON cases (received DESC, path, error, timers_ok, marked,
                                      id, state, channel, category, severity, owner, summary);
CREATE INDEX cases_state ON cases (state);
CREATE INDEX cases_owner ON cases (owner);
CREATE INDEX cases_category ON cases (category);
CREATE INDEX cases_store ON cases (store);
CREATE INDEX cases_received_us ON cases (received_us);
CREATE INDEX cases_resolved_us ON cases (resolved_us);
CREATE INDEX cases_visit_us ON cases (visit_us);
CREATE INDEX cases_error ON cases (error) WHERE error IS NOT NULL;

-- Every timer of every case, running or stopped, in policy order (seq).
CREATE TABLE timers (
    n INTEGER NOT NULL, seq INTEGER NOT NULL, name TEXT, clock TEXT, limit_text TEXT,
    started TEXT, deadline TEXT, deadline_us INTEGER,
    yellow_us INTEGER,              -- first second it is yellow (running timers)
    running INTEGER, met INTEGER, extended TEXT,
    PRIMARY KEY (n, seq)
) WITHOUT ROWID;
CREATE INDEX timers_running ON timers (yellow_us) WHERE running = 1;

-- Contact, member, product and order keys, normalised (keys.py): kesu find.
CREATE TABLE keys (n INTEGER NOT NULL, kind TEXT NOT NULL, value TEXT NOT NULL);
CREATE INDEX keys_value ON keys (kind, value);
CREATE INDEX keys_case ON keys (n);

-- Steps a report counts by month.
CREATE TABLE events (n INTEGER NOT NULL, action TEXT NOT NULL, at_us INTEGER NOT NULL);
CREATE INDEX events_at ON events (action, at_us);
CREATE INDEX events_case ON events (n);

-- Free text (summary, facts, demands, findings); trigram: any substring of 3+ characters.
CREATE VIRTUAL TABLE texts USING fts5 (body, tokenize = 'trigram');
