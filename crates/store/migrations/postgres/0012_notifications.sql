-- 消息中心 (issue #12 §2): in-app notifications and the outbox of deliveries
-- beyond the app. A notification goes to one account (recipient_user) or to
-- every account of a unit or place (recipient_unit: a department's full name,
-- `town:<镇>`, `village:<镇>/<村>`, `enterprise:<统一社会信用代码>`); read_at is
-- shared by a unit's accounts. dedup_key makes a generated notice (a deadline
-- in 3 working days) idempotent per item per day.
CREATE TABLE notifications (
    id BIGSERIAL PRIMARY KEY,
    recipient_user TEXT,
    recipient_unit TEXT,
    kind TEXT NOT NULL CHECK (kind IN ('report_filed','level_changed','warning_issued','application_decided','meeting_called','deadline')),
    text TEXT NOT NULL,
    link TEXT NOT NULL DEFAULT '',
    dedup_key TEXT UNIQUE,
    created_at TEXT NOT NULL,
    read_at TEXT,
    CHECK (recipient_user IS NOT NULL OR recipient_unit IS NOT NULL)
);
CREATE INDEX notifications_user ON notifications (recipient_user, id);
CREATE INDEX notifications_unit ON notifications (recipient_unit, id);
-- One delivery of one notification over one channel (a signed webhook, or
-- e-mail), retried with backoff until sent or given up (failed).
CREATE TABLE outbox (
    id BIGSERIAL PRIMARY KEY,
    notification_id BIGINT REFERENCES notifications(id),
    channel TEXT NOT NULL CHECK (channel IN ('webhook','email')),
    target TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','sent','failed')),
    attempts BIGINT NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at BIGINT NOT NULL,
    last_error TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
