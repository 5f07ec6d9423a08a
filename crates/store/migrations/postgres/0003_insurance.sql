-- Resident pension and medical insurance collection (山政办发〔2022〕4号).
-- A resident row holds the registration facts (the roster input) and the
-- figures the engine computed for the collection year at import/recompute
-- time, so that rosters and statistics are plain queries.
CREATE TABLE insurance_residents (
    id BIGSERIAL PRIMARY KEY,
    id_number TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    town TEXT NOT NULL,
    village TEXT NOT NULL,
    birth_date TEXT NOT NULL,
    hukou_in_district BIGINT NOT NULL,
    residence_permit BIGINT NOT NULL,
    employee_insurance BIGINT NOT NULL,
    student BIGINT NOT NULL,
    receiving_pension BIGINT NOT NULL,
    groups TEXT NOT NULL DEFAULT '',
    list_groups TEXT NOT NULL DEFAULT '',
    disability_grade BIGINT,
    pension_tier_fen BIGINT,
    sponsored_fen BIGINT,
    deceased_on TEXT,
    source TEXT NOT NULL,
    year BIGINT NOT NULL,
    as_of TEXT NOT NULL,
    age BIGINT NOT NULL,
    band BIGINT NOT NULL,
    status TEXT NOT NULL,
    pension_status TEXT NOT NULL,
    medical_individual_fen BIGINT NOT NULL,
    medical_on_behalf_fen BIGINT NOT NULL,
    medical_sponsored_fen BIGINT NOT NULL,
    medical_fiscal_fen BIGINT NOT NULL,
    pension_tier_yuan BIGINT,
    pension_individual_fen BIGINT NOT NULL,
    pension_on_behalf_fen BIGINT NOT NULL,
    pension_subsidy_fen BIGINT NOT NULL,
    total_due_fen BIGINT NOT NULL,
    paid_fen BIGINT NOT NULL DEFAULT 0,
    on_behalf_paid_fen BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX insurance_residents_place ON insurance_residents(town, village, name);
-- The statistics per village, refreshed in the transaction of every write
-- that changes them (a whole import refreshes once, at its end), so that the
-- town statistics read a few hundred rows instead of a million.
CREATE TABLE insurance_village_stats (
    year BIGINT NOT NULL,
    town TEXT NOT NULL,
    village TEXT NOT NULL,
    residents BIGINT NOT NULL,
    included BIGINT NOT NULL,
    due_persons BIGINT NOT NULL,
    due_fen BIGINT NOT NULL,
    paid_persons BIGINT NOT NULL,
    paid_fen BIGINT NOT NULL,
    medical_covered BIGINT NOT NULL,
    lower_due BIGINT NOT NULL,
    lower_paid BIGINT NOT NULL,
    upper_due BIGINT NOT NULL,
    upper_paid BIGINT NOT NULL,
    PRIMARY KEY (year, town, village)
);
CREATE TABLE insurance_payments (
    id BIGSERIAL PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    resident_id BIGINT NOT NULL REFERENCES insurance_residents(id),
    year BIGINT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('individual','on_behalf')),
    amount_fen BIGINT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('POS','裕农通','银联二维码','微信','支付宝','爱山东','银行','电子税务局')),
    paid_on TEXT NOT NULL,
    town TEXT NOT NULL,
    village TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    refund_of BIGINT REFERENCES insurance_payments(id),
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX insurance_payments_resident ON insurance_payments(resident_id);
CREATE INDEX insurance_payments_place ON insurance_payments(year, town, village);
CREATE TABLE insurance_publications (
    id BIGSERIAL PRIMARY KEY,
    town TEXT NOT NULL,
    village TEXT NOT NULL,
    year BIGINT NOT NULL,
    published_by TEXT NOT NULL,
    published_at TEXT NOT NULL,
    UNIQUE (town, village, year)
);
