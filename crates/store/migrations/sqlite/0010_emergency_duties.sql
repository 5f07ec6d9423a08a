-- Emergency (山政发〔2022〕8号): who keeps what, and states the database
-- itself refuses to bend.
-- * plans carry their owners (6.2–6.4: the unit that drew a plan up keeps its
--   drills, filing and revisions) and, for a town's plan, the town;
-- * each warning measure carries the units assigned to carry it out (4.3.3);
-- * an incident records the village it was reported from (4.4(2): a village
--   agent reports for their own village) and the 4.5.6 conditions confirmed
--   when it ended, as the policy worded them;
-- * states, levels and counts are checked by triggers (SQLite cannot add a
--   CHECK to an existing table).
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

CREATE TRIGGER emergency_incidents_check_insert BEFORE INSERT ON emergency_incidents
BEGIN
    SELECT RAISE(ABORT, '事件状态应为 active 或 ended') WHERE NEW.status NOT IN ('active', 'ended');
    SELECT RAISE(ABORT, '响应级别应为 I、II、III、IV') WHERE NEW.response_level IS NOT NULL AND NEW.response_level NOT IN ('I', 'II', 'III', 'IV');
    SELECT RAISE(ABORT, '建议响应级别应为 I、II、III、IV') WHERE NEW.suggested_level NOT IN ('I', 'II', 'III', 'IV');
END;
CREATE TRIGGER emergency_incidents_check_update BEFORE UPDATE ON emergency_incidents
BEGIN
    SELECT RAISE(ABORT, '事件状态应为 active 或 ended') WHERE NEW.status NOT IN ('active', 'ended');
    SELECT RAISE(ABORT, '响应级别应为 I、II、III、IV') WHERE NEW.response_level IS NOT NULL AND NEW.response_level NOT IN ('I', 'II', 'III', 'IV');
    SELECT RAISE(ABORT, '已结束的事件不能恢复为进行中') WHERE OLD.status = 'ended' AND NEW.status <> 'ended';
END;
CREATE TRIGGER emergency_warnings_check_insert BEFORE INSERT ON emergency_warnings
BEGIN
    SELECT RAISE(ABORT, '预警状态不正确') WHERE NEW.state NOT IN ('draft', 'approved', 'issued', 'adjusted', 'lifted');
    SELECT RAISE(ABORT, '预警级别应为 1–4') WHERE NEW.level NOT BETWEEN 1 AND 4;
END;
CREATE TRIGGER emergency_warnings_check_update BEFORE UPDATE ON emergency_warnings
BEGIN
    SELECT RAISE(ABORT, '预警状态不正确') WHERE NEW.state NOT IN ('draft', 'approved', 'issued', 'adjusted', 'lifted');
    SELECT RAISE(ABORT, '预警级别应为 1–4') WHERE NEW.level NOT BETWEEN 1 AND 4;
    SELECT RAISE(ABORT, '已解除的预警不能再变更') WHERE OLD.state = 'lifted' AND NEW.state <> 'lifted';
END;
CREATE TRIGGER emergency_reports_check_insert BEFORE INSERT ON emergency_reports
BEGIN
    SELECT RAISE(ABORT, '报告类别应为 initial 或 followup') WHERE NEW.kind NOT IN ('initial', 'followup');
    SELECT RAISE(ABORT, '人数和房屋数不能为负数')
        WHERE NEW.deaths < 0 OR NEW.injured < 0 OR NEW.missing < 0 OR NEW.houses_collapsed < 0 OR NEW.houses_damaged < 0;
END;
CREATE TRIGGER emergency_resources_check_insert BEFORE INSERT ON emergency_resources
BEGIN
    SELECT RAISE(ABORT, '数量、最低储备和容量不能为负数') WHERE NEW.quantity < 0 OR NEW.minimum < 0 OR NEW.capacity < 0;
END;
CREATE TRIGGER emergency_resources_check_update BEFORE UPDATE ON emergency_resources
BEGIN
    SELECT RAISE(ABORT, '库存不足') WHERE NEW.quantity < 0 OR NEW.minimum < 0 OR NEW.capacity < 0;
END;
