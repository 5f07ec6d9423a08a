-- Housing provident fund joint meeting (山政办字〔2022〕19号).
CREATE TABLE meeting_units (
    name TEXT PRIMARY KEY,
    position BIGINT NOT NULL,
    note TEXT NOT NULL DEFAULT ''
);
CREATE TABLE meeting_representatives (
    id BIGSERIAL PRIMARY KEY,
    unit TEXT NOT NULL REFERENCES meeting_units(name),
    person TEXT NOT NULL,
    post TEXT NOT NULL,
    role TEXT NOT NULL,
    from_date TEXT NOT NULL,
    to_date TEXT
);
CREATE TABLE meeting_meetings (
    id BIGSERIAL PRIMARY KEY,
    title TEXT NOT NULL,
    proposed_by TEXT NOT NULL REFERENCES meeting_units(name),
    proposed_on TEXT NOT NULL,
    meeting_date TEXT NOT NULL,
    place TEXT NOT NULL DEFAULT '',
    stage TEXT NOT NULL,
    materials_sent_on TEXT,
    summary TEXT NOT NULL DEFAULT '',
    minutes_number TEXT,
    minutes_issued_on TEXT,
    created_by TEXT NOT NULL
);
CREATE TABLE meeting_items (
    id BIGSERIAL PRIMARY KEY,
    meeting_id BIGINT NOT NULL REFERENCES meeting_meetings(id),
    position BIGINT NOT NULL,
    title TEXT NOT NULL,
    result TEXT NOT NULL DEFAULT ''
);
CREATE TABLE meeting_materials (
    id BIGSERIAL PRIMARY KEY,
    meeting_id BIGINT NOT NULL REFERENCES meeting_meetings(id),
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    data BYTEA NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at TEXT NOT NULL
);
CREATE TABLE meeting_deliveries (
    meeting_id BIGINT NOT NULL REFERENCES meeting_meetings(id),
    unit TEXT NOT NULL REFERENCES meeting_units(name),
    sent_on TEXT NOT NULL,
    sent_by TEXT NOT NULL,
    PRIMARY KEY (meeting_id, unit)
);
CREATE TABLE meeting_attendance (
    meeting_id BIGINT NOT NULL REFERENCES meeting_meetings(id),
    unit TEXT NOT NULL REFERENCES meeting_units(name),
    status TEXT NOT NULL CHECK (status IN ('present','proxy','absent')),
    attendee TEXT NOT NULL DEFAULT '',
    opinion TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (meeting_id, unit)
);
CREATE TABLE meeting_votes (
    item_id BIGINT NOT NULL REFERENCES meeting_items(id),
    unit TEXT NOT NULL REFERENCES meeting_units(name),
    vote TEXT NOT NULL CHECK (vote IN ('for','against','abstain')),
    PRIMARY KEY (item_id, unit)
);
