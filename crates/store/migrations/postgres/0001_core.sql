-- Platform core: accounts, sessions, rate limits, jobs, audit trail, reference data.
CREATE TABLE users (
    id BIGSERIAL PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin','bureau','town','village','enterprise')),
    department TEXT,
    town TEXT,
    village TEXT,
    enterprise_uscc TEXT,
    active BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_expiry ON sessions(expires_at);
CREATE TABLE login_attempts (
    id BIGSERIAL PRIMARY KEY,
    key TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX login_attempts_key ON login_attempts(key, at);
CREATE TABLE jobs (
    id BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL,
    source TEXT NOT NULL,
    state TEXT NOT NULL,
    progress BIGINT NOT NULL DEFAULT 0,
    total BIGINT,
    message TEXT,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    UNIQUE (kind, source)
);
CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_entity ON audit_log(entity, entity_id);
CREATE TABLE towns (
    name TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    position BIGINT NOT NULL
);
CREATE TABLE villages (
    id BIGSERIAL PRIMARY KEY,
    town TEXT NOT NULL REFERENCES towns(name),
    name TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT '村',
    UNIQUE (town, name)
);
CREATE TABLE departments (
    name TEXT PRIMARY KEY,
    aliases TEXT NOT NULL
);
CREATE TABLE group_posts (
    id BIGSERIAL PRIMARY KEY,
    group_key TEXT NOT NULL,
    group_name TEXT NOT NULL,
    person TEXT NOT NULL,
    role TEXT NOT NULL,
    unit TEXT NOT NULL,
    post TEXT NOT NULL,
    from_date TEXT NOT NULL,
    to_date TEXT
);
