-- District general emergency plan (山政发〔2022〕8号): incidents, information
-- reports and follow-ups, response levels, on-site command, warnings as CAP,
-- resources and plans. Drills (演练) carry drill = 1 and are never counted
-- with real incidents.
CREATE TABLE emergency_incidents (
    id BIGSERIAL PRIMARY KEY,
    title TEXT NOT NULL,
    incident_type TEXT NOT NULL,
    category TEXT,
    severity TEXT NOT NULL,
    town TEXT NOT NULL,
    place TEXT NOT NULL DEFAULT '',
    occurred_at TEXT,
    sensitive BIGINT NOT NULL DEFAULT 0,
    key_area_or_period BIGINT NOT NULL DEFAULT 0,
    may_escalate BIGINT NOT NULL DEFAULT 0,
    lead_departments TEXT NOT NULL DEFAULT '',
    command_body TEXT,
    needs_designation BIGINT NOT NULL DEFAULT 0,
    checklist TEXT,
    suggested_level TEXT NOT NULL,
    suggested_decided_by TEXT NOT NULL,
    response_level TEXT,
    level_decided_by TEXT,
    level_decided_user TEXT,
    report_to_city BIGINT NOT NULL DEFAULT 0,
    skip_level_report BIGINT NOT NULL DEFAULT 0,
    city_reported_at TEXT,
    explanation TEXT NOT NULL DEFAULT '',
    drill BIGINT NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'active',
    emergency_state_request TEXT,
    emergency_state_requested_at TEXT,
    end_onsite_done BIGINT NOT NULL DEFAULT 0,
    end_no_secondary BIGINT NOT NULL DEFAULT 0,
    end_experts_agree BIGINT NOT NULL DEFAULT 0,
    end_note TEXT NOT NULL DEFAULT '',
    ended_at TEXT,
    ended_by TEXT,
    aftermath TEXT NOT NULL DEFAULT '',
    evaluation TEXT NOT NULL DEFAULT '',
    recovery TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX emergency_incidents_status ON emergency_incidents (drill, status);
CREATE TABLE emergency_reports (
    id BIGSERIAL PRIMARY KEY,
    incident_id BIGINT NOT NULL REFERENCES emergency_incidents(id),
    kind TEXT NOT NULL,
    reporter TEXT NOT NULL,
    reporter_unit TEXT NOT NULL,
    reported_at TEXT NOT NULL,
    occurred_at TEXT,
    place TEXT,
    town TEXT,
    source TEXT,
    nature TEXT,
    course TEXT,
    impact_scope TEXT,
    environmental_impact TEXT,
    deaths BIGINT,
    injured BIGINT,
    missing BIGINT,
    houses_collapsed BIGINT,
    houses_damaged BIGINT,
    infrastructure_damage TEXT,
    rescue_status TEXT,
    measures_taken TEXT,
    missing_fields TEXT NOT NULL DEFAULT ''
);
CREATE INDEX emergency_reports_incident ON emergency_reports (incident_id);
CREATE TABLE emergency_level_changes (
    id BIGSERIAL PRIMARY KEY,
    incident_id BIGINT NOT NULL REFERENCES emergency_incidents(id),
    from_level TEXT,
    to_level TEXT NOT NULL,
    decided_role TEXT NOT NULL,
    actor TEXT NOT NULL,
    reason TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE TABLE emergency_command_posts (
    incident_id BIGINT PRIMARY KEY REFERENCES emergency_incidents(id),
    commander TEXT NOT NULL,
    location TEXT NOT NULL DEFAULT '',
    opened_by TEXT NOT NULL,
    opened_at TEXT NOT NULL
);
CREATE TABLE emergency_groups (
    id BIGSERIAL PRIMARY KEY,
    incident_id BIGINT NOT NULL REFERENCES emergency_incidents(id),
    number BIGINT NOT NULL,
    name TEXT NOT NULL,
    members TEXT NOT NULL DEFAULT '',
    leader TEXT NOT NULL DEFAULT '',
    tasks TEXT NOT NULL DEFAULT '',
    UNIQUE (incident_id, number)
);
CREATE TABLE emergency_measures (
    incident_id BIGINT NOT NULL REFERENCES emergency_incidents(id),
    position BIGINT NOT NULL,
    measure TEXT NOT NULL,
    done_by TEXT,
    done_at TEXT,
    PRIMARY KEY (incident_id, position)
);
CREATE TABLE emergency_releases (
    id BIGSERIAL PRIMARY KEY,
    incident_id BIGINT NOT NULL REFERENCES emergency_incidents(id),
    body TEXT NOT NULL,
    title TEXT NOT NULL,
    content TEXT NOT NULL,
    released_by TEXT NOT NULL,
    released_at TEXT NOT NULL
);
CREATE TABLE emergency_warnings (
    id BIGSERIAL PRIMARY KEY,
    incident_type TEXT NOT NULL,
    level BIGINT NOT NULL,
    headline TEXT NOT NULL,
    description TEXT NOT NULL,
    duration TEXT NOT NULL DEFAULT '',
    heed TEXT NOT NULL DEFAULT '',
    instruction TEXT NOT NULL DEFAULT '',
    issuer TEXT NOT NULL,
    onset TEXT,
    expires TEXT,
    areas TEXT NOT NULL,
    channels TEXT NOT NULL DEFAULT '',
    targeted TEXT NOT NULL DEFAULT '',
    places TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL DEFAULT 'draft',
    drill BIGINT NOT NULL DEFAULT 0,
    current_identifier TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    approved_by TEXT,
    issued_at TEXT,
    lifted_at TEXT,
    updated_at TEXT NOT NULL
);
CREATE INDEX emergency_warnings_state ON emergency_warnings (state);
CREATE TABLE emergency_warning_measures (
    warning_id BIGINT NOT NULL REFERENCES emergency_warnings(id),
    position BIGINT NOT NULL,
    measure TEXT NOT NULL,
    done_by TEXT,
    done_at TEXT,
    PRIMARY KEY (warning_id, position)
);
CREATE TABLE emergency_cap_messages (
    identifier TEXT PRIMARY KEY,
    warning_id BIGINT NOT NULL REFERENCES emergency_warnings(id),
    msg_type TEXT NOT NULL,
    sent TEXT NOT NULL,
    refs TEXT NOT NULL DEFAULT '',
    xml TEXT NOT NULL
);
-- The rendered Atom feed of current warnings (one row), rewritten in the
-- same transaction as every warning state change; `version` lets a server
-- instance tell whether its short-lived copy is still current.
CREATE TABLE emergency_feed (
    id BIGINT PRIMARY KEY,
    version BIGINT NOT NULL,
    body TEXT NOT NULL
);
-- A counter bumped by every incident change: the live board polls it.
CREATE TABLE emergency_board (
    id BIGINT PRIMARY KEY,
    version BIGINT NOT NULL
);
INSERT INTO emergency_board (id, version) VALUES (1, 0);
CREATE TABLE emergency_resources (
    id BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    town TEXT NOT NULL DEFAULT '',
    field TEXT NOT NULL DEFAULT '',
    quantity BIGINT NOT NULL DEFAULT 0,
    minimum BIGINT NOT NULL DEFAULT 0,
    unit TEXT NOT NULL DEFAULT '',
    capacity BIGINT NOT NULL DEFAULT 0,
    contact TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT ''
);
CREATE TABLE emergency_assignments (
    id BIGSERIAL PRIMARY KEY,
    incident_id BIGINT NOT NULL REFERENCES emergency_incidents(id),
    resource_id BIGINT NOT NULL REFERENCES emergency_resources(id),
    quantity BIGINT NOT NULL DEFAULT 0,
    assigned_by TEXT NOT NULL,
    assigned_at TEXT NOT NULL
);
CREATE TABLE emergency_plans (
    id BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    issuer TEXT NOT NULL,
    issued_on TEXT NOT NULL,
    filing_body TEXT NOT NULL,
    filing_deadline TEXT NOT NULL,
    filed_on TEXT,
    created_by TEXT NOT NULL
);
CREATE TABLE emergency_plan_drills (
    id BIGSERIAL PRIMARY KEY,
    plan_id BIGINT NOT NULL REFERENCES emergency_plans(id),
    held_on TEXT NOT NULL,
    form TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT ''
);
CREATE TABLE emergency_plan_revisions (
    id BIGSERIAL PRIMARY KEY,
    plan_id BIGINT NOT NULL REFERENCES emergency_plans(id),
    revised_on TEXT NOT NULL,
    trigger_reason TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT ''
);
