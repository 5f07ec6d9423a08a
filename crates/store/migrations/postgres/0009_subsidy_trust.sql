-- E-commerce support (山政发〔2022〕10号 附件4): amounts that cannot be bent.
-- Granted never above what the engine assessed, paid never above granted,
-- clawed back never above paid (附件4 第9条 追回 what was paid); every amount >= 0.
-- 同一项目不重复享受: one award per enterprise, year and article, and a
-- one-time (一次性) tier once per enterprise ever.
ALTER TABLE subsidy_awards
    ADD CONSTRAINT subsidy_awards_article CHECK (article BETWEEN 1 AND 12),
    ADD CONSTRAINT subsidy_awards_tier CHECK (tier BETWEEN 1 AND 3),
    ADD CONSTRAINT subsidy_awards_one_time_flag CHECK (one_time IN (0, 1)),
    ADD CONSTRAINT subsidy_awards_proposed_nonnegative CHECK (proposed_fen >= 0),
    ADD CONSTRAINT subsidy_awards_granted_within_assessed CHECK (granted_fen >= 0 AND granted_fen <= proposed_fen),
    ADD CONSTRAINT subsidy_awards_paid_within_granted CHECK (paid_fen >= 0 AND paid_fen <= granted_fen),
    ADD CONSTRAINT subsidy_awards_clawed_within_paid CHECK (clawed_back_fen >= 0 AND clawed_back_fen <= paid_fen),
    ADD CONSTRAINT subsidy_awards_once_a_year UNIQUE (uscc, year, article);
CREATE UNIQUE INDEX subsidy_awards_one_time_once ON subsidy_awards(uscc, article, tier) WHERE one_time = 1;
CREATE INDEX subsidy_documents_uscc ON subsidy_documents(uscc);
