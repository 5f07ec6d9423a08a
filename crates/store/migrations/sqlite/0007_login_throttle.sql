-- Login throttling (store::login): one row per account and per client address
-- with a count and the earliest next check, instead of one row per failure
-- counted and then inserted (two steps that concurrent attempts slipped between).
DROP TABLE login_attempts;
CREATE TABLE login_throttle (
    key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    last_at INTEGER NOT NULL,
    next_at INTEGER NOT NULL
);
CREATE INDEX login_throttle_last ON login_throttle(last_at);
