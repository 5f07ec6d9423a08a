-- Emergency (山政发〔2022〕8号): who keeps what, and states the database
-- itself refuses to bend.
-- * plans carry their owners (6.2–6.4: the unit that drew a plan up keeps its
--   drills, filing and revisions) and, for a town's plan, the town;
-- * each warning measure carries the units assigned to carry it out (4.3.3);
-- * an incident records the village it was reported from (4.4(2): a village
--   agent reports for their own village) and the 4.5.6 conditions confirmed
--   when it ended, as the policy worded them;
-- * states, levels and counts are CHECK constraints.
ALTER TABLE emergency_plans ADD COLUMN owners TEXT NOT NULL DEFAULT '';
ALTER TABLE emergency_plans ADD COLUMN town TEXT;
UPDATE emergency_plans SET owners = '区政府、区应急管理局' WHERE kind = 'general';
UPDATE emergency_plans SET
    owners = COALESCE((SELECT u.department FROM users u WHERE u.username = emergency_plans.created_by), ''),
    town = (SELECT u.town FROM users u WHERE u.username = emergency_plans.created_by AND u.role = 'town')
    WHERE kind <> 'general';
ALTER TABLE emergency_warning_measures ADD COLUMN assignees TEXT NOT NULL DEFAULT '';
ALTER TABLE emergency_incidents ADD COLUMN village TEXT;
ALTER TABLE emergency_incidents ADD COLUMN end_conditions TEXT NOT NULL DEFAULT '';

ALTER TABLE emergency_incidents ADD CONSTRAINT emergency_incidents_status CHECK (status IN ('active', 'ended'));
ALTER TABLE emergency_incidents ADD CONSTRAINT emergency_incidents_level
    CHECK (response_level IS NULL OR response_level IN ('I', 'II', 'III', 'IV'));
ALTER TABLE emergency_incidents ADD CONSTRAINT emergency_incidents_suggested CHECK (suggested_level IN ('I', 'II', 'III', 'IV'));
ALTER TABLE emergency_warnings ADD CONSTRAINT emergency_warnings_state
    CHECK (state IN ('draft', 'approved', 'issued', 'adjusted', 'lifted'));
ALTER TABLE emergency_warnings ADD CONSTRAINT emergency_warnings_level CHECK (level BETWEEN 1 AND 4);
ALTER TABLE emergency_reports ADD CONSTRAINT emergency_reports_kind CHECK (kind IN ('initial', 'followup'));
ALTER TABLE emergency_reports ADD CONSTRAINT emergency_reports_counts CHECK (
    (deaths IS NULL OR deaths >= 0) AND (injured IS NULL OR injured >= 0) AND (missing IS NULL OR missing >= 0)
    AND (houses_collapsed IS NULL OR houses_collapsed >= 0) AND (houses_damaged IS NULL OR houses_damaged >= 0));
ALTER TABLE emergency_resources ADD CONSTRAINT emergency_resources_counts CHECK (quantity >= 0 AND minimum >= 0 AND capacity >= 0);
