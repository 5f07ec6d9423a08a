-- District general emergency plan (山政发〔2022〕8号): incidents, information
-- reports and follow-ups, response levels, on-site command, warnings as CAP,
-- resources and plans. Drills (演练) carry drill = 1 and are never counted
-- with real incidents.
CREATE TABLE emergency_incidents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    incident_type TEXT NOT NULL,
    category TEXT,
    severity TEXT NOT NULL,
    town TEXT NOT NULL,
    place TEXT NOT NULL DEFAULT '',
    occurred_at TEXT,
    sensitive INTEGER NOT NULL DEFAULT 0,
    key_area_or_period INTEGER NOT NULL DEFAULT 0,
    may_escalate INTEGER NOT NULL DEFAULT 0,
    lead_departments TEXT NOT NULL DEFAULT '',
    command_body TEXT,
    needs_designation INTEGER NOT NULL DEFAULT 0,
    checklist TEXT,
    suggested_level TEXT NOT NULL,
    suggested_decided_by TEXT NOT NULL,
    response_level TEXT,
    level_decided_by TEXT,
    level_decided_user TEXT,
    report_to_city INTEGER NOT NULL DEFAULT 0,
    skip_level_report INTEGER NOT NULL DEFAULT 0,
    city_reported_at TEXT,
    explanation TEXT NOT NULL DEFAULT '',
    drill INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'active',
    emergency_state_request TEXT,
    emergency_state_requested_at TEXT,
    end_onsite_done INTEGER NOT NULL DEFAULT 0,
    end_no_secondary INTEGER NOT NULL DEFAULT 0,
    end_experts_agree INTEGER NOT NULL DEFAULT 0,
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
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id INTEGER NOT NULL REFERENCES emergency_incidents(id),
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
    deaths INTEGER,
    injured INTEGER,
    missing INTEGER,
    houses_collapsed INTEGER,
    houses_damaged INTEGER,
    infrastructure_damage TEXT,
    rescue_status TEXT,
    measures_taken TEXT,
    missing_fields TEXT NOT NULL DEFAULT ''
);
CREATE INDEX emergency_reports_incident ON emergency_reports (incident_id);
CREATE TABLE emergency_level_changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id INTEGER NOT NULL REFERENCES emergency_incidents(id),
    from_level TEXT,
    to_level TEXT NOT NULL,
    decided_role TEXT NOT NULL,
    actor TEXT NOT NULL,
    reason TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE TABLE emergency_command_posts (
    incident_id INTEGER PRIMARY KEY REFERENCES emergency_incidents(id),
    commander TEXT NOT NULL,
    location TEXT NOT NULL DEFAULT '',
    opened_by TEXT NOT NULL,
    opened_at TEXT NOT NULL
);
CREATE TABLE emergency_groups (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id INTEGER NOT NULL REFERENCES emergency_incidents(id),
    number INTEGER NOT NULL,
    name TEXT NOT NULL,
    members TEXT NOT NULL DEFAULT '',
    leader TEXT NOT NULL DEFAULT '',
    tasks TEXT NOT NULL DEFAULT '',
    UNIQUE (incident_id, number)
);
CREATE TABLE emergency_measures (
    incident_id INTEGER NOT NULL REFERENCES emergency_incidents(id),
    position INTEGER NOT NULL,
    measure TEXT NOT NULL,
    done_by TEXT,
    done_at TEXT,
    PRIMARY KEY (incident_id, position)
);
CREATE TABLE emergency_releases (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id INTEGER NOT NULL REFERENCES emergency_incidents(id),
    body TEXT NOT NULL,
    title TEXT NOT NULL,
    content TEXT NOT NULL,
    released_by TEXT NOT NULL,
    released_at TEXT NOT NULL
);
CREATE TABLE emergency_warnings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_type TEXT NOT NULL,
    level INTEGER NOT NULL,
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
    drill INTEGER NOT NULL DEFAULT 0,
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
    warning_id INTEGER NOT NULL REFERENCES emergency_warnings(id),
    position INTEGER NOT NULL,
    measure TEXT NOT NULL,
    done_by TEXT,
    done_at TEXT,
    PRIMARY KEY (warning_id, position)
);
CREATE TABLE emergency_cap_messages (
    identifier TEXT PRIMARY KEY,
    warning_id INTEGER NOT NULL REFERENCES emergency_warnings(id),
    msg_type TEXT NOT NULL,
    sent TEXT NOT NULL,
    refs TEXT NOT NULL DEFAULT '',
    xml TEXT NOT NULL
);
-- The rendered Atom feed of current warnings (one row), rewritten in the
-- same transaction as every warning state change; `version` lets a server
-- instance tell whether its short-lived copy is still current.
CREATE TABLE emergency_feed (
    id INTEGER PRIMARY KEY,
    version INTEGER NOT NULL,
    body TEXT NOT NULL
);
-- A counter bumped by every incident change: the live board polls it.
CREATE TABLE emergency_board (
    id INTEGER PRIMARY KEY,
    version INTEGER NOT NULL
);
INSERT INTO emergency_board (id, version) VALUES (1, 0);
CREATE TABLE emergency_resources (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    town TEXT NOT NULL DEFAULT '',
    field TEXT NOT NULL DEFAULT '',
    quantity INTEGER NOT NULL DEFAULT 0,
    minimum INTEGER NOT NULL DEFAULT 0,
    unit TEXT NOT NULL DEFAULT '',
    capacity INTEGER NOT NULL DEFAULT 0,
    contact TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT ''
);
CREATE TABLE emergency_assignments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id INTEGER NOT NULL REFERENCES emergency_incidents(id),
    resource_id INTEGER NOT NULL REFERENCES emergency_resources(id),
    quantity INTEGER NOT NULL DEFAULT 0,
    assigned_by TEXT NOT NULL,
    assigned_at TEXT NOT NULL
);
CREATE TABLE emergency_plans (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
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
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id INTEGER NOT NULL REFERENCES emergency_plans(id),
    held_on TEXT NOT NULL,
    form TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT ''
);
CREATE TABLE emergency_plan_revisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id INTEGER NOT NULL REFERENCES emergency_plans(id),
    revised_on TEXT NOT NULL,
    trigger_reason TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT ''
);
