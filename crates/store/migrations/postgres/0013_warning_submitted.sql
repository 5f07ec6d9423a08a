-- A warning draft is submitted for approval (待审批, state 'submitted')
-- before 区政府 approves it (4.3.2): the state check admits the new state.
ALTER TABLE emergency_warnings DROP CONSTRAINT emergency_warnings_state;
ALTER TABLE emergency_warnings ADD CONSTRAINT emergency_warnings_state
    CHECK (state IN ('draft', 'submitted', 'approved', 'issued', 'adjusted', 'lifted'));
