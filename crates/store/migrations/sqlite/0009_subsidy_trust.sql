-- E-commerce support (山政发〔2022〕10号 附件4): amounts that cannot be bent.
-- SQLite cannot add CHECK constraints to a table: subsidy_awards is rebuilt
-- (nothing references it), its rows copied as they are.
-- Granted never above what the engine assessed, paid never above granted,
-- clawed back never above paid (附件4 第9条 追回 what was paid); every amount >= 0.
-- 同一项目不重复享受: one award per enterprise, year and article, and a
-- one-time (一次性) tier once per enterprise ever.
CREATE TABLE subsidy_awards_0009 (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id INTEGER NOT NULL REFERENCES subsidy_applications(id),
    uscc TEXT NOT NULL,
    year INTEGER NOT NULL,
    article INTEGER NOT NULL CONSTRAINT subsidy_awards_article CHECK (article BETWEEN 1 AND 12),
    tier INTEGER NOT NULL CONSTRAINT subsidy_awards_tier CHECK (tier BETWEEN 1 AND 3),
    one_time INTEGER NOT NULL CONSTRAINT subsidy_awards_one_time_flag CHECK (one_time IN (0, 1)),
    proposed_fen INTEGER NOT NULL CONSTRAINT subsidy_awards_proposed_nonnegative CHECK (proposed_fen >= 0),
    granted_fen INTEGER NOT NULL CONSTRAINT subsidy_awards_granted_within_assessed CHECK (granted_fen >= 0 AND granted_fen <= proposed_fen),
    change_reason TEXT NOT NULL DEFAULT '',
    paid_fen INTEGER NOT NULL DEFAULT 0 CONSTRAINT subsidy_awards_paid_within_granted CHECK (paid_fen >= 0 AND paid_fen <= granted_fen),
    paid_on TEXT,
    clawed_back_fen INTEGER NOT NULL DEFAULT 0 CONSTRAINT subsidy_awards_clawed_within_paid CHECK (clawed_back_fen >= 0 AND clawed_back_fen <= paid_fen),
    clawback_reason TEXT NOT NULL DEFAULT '',
    UNIQUE (application_id, article),
    CONSTRAINT subsidy_awards_once_a_year UNIQUE (uscc, year, article)
);
INSERT INTO subsidy_awards_0009 (id, application_id, uscc, year, article, tier, one_time, proposed_fen, granted_fen, change_reason,
    paid_fen, paid_on, clawed_back_fen, clawback_reason)
SELECT id, application_id, uscc, year, article, tier, one_time, proposed_fen, granted_fen, change_reason,
    paid_fen, paid_on, clawed_back_fen, clawback_reason FROM subsidy_awards;
DROP TABLE subsidy_awards;
ALTER TABLE subsidy_awards_0009 RENAME TO subsidy_awards;
CREATE INDEX subsidy_awards_year ON subsidy_awards(year, article, tier);
CREATE UNIQUE INDEX subsidy_awards_one_time_once ON subsidy_awards(uscc, article, tier) WHERE one_time = 1;
CREATE INDEX subsidy_documents_uscc ON subsidy_documents(uscc);
