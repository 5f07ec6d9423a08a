-- A warning draft is submitted for approval (待审批, state 'submitted')
-- before 区政府 approves it (4.3.2): the state checks admit the new state.
DROP TRIGGER emergency_warnings_check_insert;
DROP TRIGGER emergency_warnings_check_update;
CREATE TRIGGER emergency_warnings_check_insert BEFORE INSERT ON emergency_warnings
BEGIN
    SELECT RAISE(ABORT, '预警状态不正确') WHERE NEW.state NOT IN ('draft', 'submitted', 'approved', 'issued', 'adjusted', 'lifted');
    SELECT RAISE(ABORT, '预警级别应为 1–4') WHERE NEW.level NOT BETWEEN 1 AND 4;
END;
CREATE TRIGGER emergency_warnings_check_update BEFORE UPDATE ON emergency_warnings
BEGIN
    SELECT RAISE(ABORT, '预警状态不正确') WHERE NEW.state NOT IN ('draft', 'submitted', 'approved', 'issued', 'adjusted', 'lifted');
    SELECT RAISE(ABORT, '预警级别应为 1–4') WHERE NEW.level NOT BETWEEN 1 AND 4;
    SELECT RAISE(ABORT, '已解除的预警不能再变更') WHERE OLD.state = 'lifted' AND NEW.state <> 'lifted';
END;
