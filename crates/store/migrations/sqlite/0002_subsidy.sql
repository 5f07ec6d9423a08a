-- E-commerce support policy (山政发〔2022〕10号 附件4).
CREATE TABLE subsidy_enterprises (
    uscc TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    town TEXT NOT NULL,
    contact TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
-- The figures an enterprise declares for a year, in the engine's applicant JSON.
CREATE TABLE subsidy_declarations (
    uscc TEXT NOT NULL REFERENCES subsidy_enterprises(uscc),
    year INTEGER NOT NULL,
    applicant_json TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (uscc, year)
);
CREATE TABLE subsidy_documents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uscc TEXT NOT NULL REFERENCES subsidy_enterprises(uscc),
    year INTEGER NOT NULL,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    data BLOB NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at TEXT NOT NULL
);
-- One application per enterprise and year: the same thing is never paid twice.
CREATE TABLE subsidy_applications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uscc TEXT NOT NULL REFERENCES subsidy_enterprises(uscc),
    year INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft','submitted','under_review','approved','returned','rejected','paid')),
    assessment_json TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    submitted_at TEXT,
    decided_at TEXT,
    decided_by TEXT,
    UNIQUE (uscc, year)
);
CREATE TABLE subsidy_awards (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id INTEGER NOT NULL REFERENCES subsidy_applications(id),
    uscc TEXT NOT NULL,
    year INTEGER NOT NULL,
    article INTEGER NOT NULL,
    tier INTEGER NOT NULL,
    one_time INTEGER NOT NULL,
    proposed_fen INTEGER NOT NULL,
    granted_fen INTEGER NOT NULL,
    change_reason TEXT NOT NULL DEFAULT '',
    paid_fen INTEGER NOT NULL DEFAULT 0,
    paid_on TEXT,
    clawed_back_fen INTEGER NOT NULL DEFAULT 0,
    clawback_reason TEXT NOT NULL DEFAULT '',
    UNIQUE (application_id, article)
);
CREATE INDEX subsidy_awards_year ON subsidy_awards(year, article, tier);
-- Actuals recorded against the targets T1–T12, per period and, where the target is per town, per town.
CREATE TABLE subsidy_target_actuals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    target TEXT NOT NULL,
    period TEXT NOT NULL,
    town TEXT NOT NULL DEFAULT '',
    value INTEGER NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    UNIQUE (target, period, town)
);
