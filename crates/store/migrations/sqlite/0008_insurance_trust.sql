-- Resident insurance collection (山政办发〔2022〕4号): money that cannot be bent.
-- What a resident has paid is never negative and never above what the roster
-- says they owe (本人应缴 total_due_fen; 代缴 medical + pension on behalf);
-- a payment is a positive amount, a refund (退费) a negative one pointing at
-- the payment it returns, and a payment is refunded at most once.
-- SQLite cannot add CHECK constraints to a table: both tables are rebuilt,
-- their rows copied as they are. The new payments table refers to the new
-- residents table, so the old ones can be dropped child first; renaming
-- rewrites the references (SQLite ≥ 3.26).
CREATE TABLE insurance_residents_0008 (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    id_number TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    town TEXT NOT NULL,
    village TEXT NOT NULL,
    birth_date TEXT NOT NULL,
    hukou_in_district INTEGER NOT NULL,
    residence_permit INTEGER NOT NULL,
    employee_insurance INTEGER NOT NULL,
    student INTEGER NOT NULL,
    receiving_pension INTEGER NOT NULL,
    groups TEXT NOT NULL DEFAULT '',
    list_groups TEXT NOT NULL DEFAULT '',
    disability_grade INTEGER,
    pension_tier_fen INTEGER,
    sponsored_fen INTEGER,
    deceased_on TEXT,
    source TEXT NOT NULL,
    year INTEGER NOT NULL,
    as_of TEXT NOT NULL,
    age INTEGER NOT NULL,
    band INTEGER NOT NULL,
    status TEXT NOT NULL,
    pension_status TEXT NOT NULL,
    medical_individual_fen INTEGER NOT NULL,
    medical_on_behalf_fen INTEGER NOT NULL CONSTRAINT insurance_residents_medical_on_behalf_nonnegative CHECK (medical_on_behalf_fen >= 0),
    medical_sponsored_fen INTEGER NOT NULL,
    medical_fiscal_fen INTEGER NOT NULL,
    pension_tier_yuan INTEGER,
    pension_individual_fen INTEGER NOT NULL,
    pension_on_behalf_fen INTEGER NOT NULL CONSTRAINT insurance_residents_pension_on_behalf_nonnegative CHECK (pension_on_behalf_fen >= 0),
    pension_subsidy_fen INTEGER NOT NULL,
    total_due_fen INTEGER NOT NULL CONSTRAINT insurance_residents_due_nonnegative CHECK (total_due_fen >= 0),
    paid_fen INTEGER NOT NULL DEFAULT 0 CONSTRAINT insurance_residents_paid_within_due CHECK (paid_fen >= 0 AND paid_fen <= total_due_fen),
    on_behalf_paid_fen INTEGER NOT NULL DEFAULT 0 CONSTRAINT insurance_residents_on_behalf_within_due
        CHECK (on_behalf_paid_fen >= 0 AND on_behalf_paid_fen <= medical_on_behalf_fen + pension_on_behalf_fen)
);
INSERT INTO insurance_residents_0008 SELECT id, id_number, name, town, village, birth_date, hukou_in_district, residence_permit,
    employee_insurance, student, receiving_pension, groups, list_groups, disability_grade, pension_tier_fen, sponsored_fen, deceased_on,
    source, year, as_of, age, band, status, pension_status, medical_individual_fen, medical_on_behalf_fen, medical_sponsored_fen,
    medical_fiscal_fen, pension_tier_yuan, pension_individual_fen, pension_on_behalf_fen, pension_subsidy_fen, total_due_fen, paid_fen,
    on_behalf_paid_fen FROM insurance_residents;
CREATE TABLE insurance_payments_0008 (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    reference TEXT NOT NULL UNIQUE,
    resident_id INTEGER NOT NULL REFERENCES insurance_residents_0008(id),
    year INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('individual','on_behalf')),
    amount_fen INTEGER NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('POS','裕农通','银联二维码','微信','支付宝','爱山东','银行','电子税务局')),
    paid_on TEXT NOT NULL,
    town TEXT NOT NULL,
    village TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    refund_of INTEGER REFERENCES insurance_payments_0008(id),
    note TEXT NOT NULL DEFAULT '',
    CONSTRAINT insurance_payments_amount_sign CHECK ((refund_of IS NULL AND amount_fen > 0) OR (refund_of IS NOT NULL AND amount_fen < 0))
);
INSERT INTO insurance_payments_0008 SELECT id, reference, resident_id, year, kind, amount_fen, channel, paid_on, town, village,
    recorded_by, recorded_at, refund_of, note FROM insurance_payments;
DROP TABLE insurance_payments;
DROP TABLE insurance_residents;
ALTER TABLE insurance_residents_0008 RENAME TO insurance_residents;
ALTER TABLE insurance_payments_0008 RENAME TO insurance_payments;
CREATE INDEX insurance_residents_place ON insurance_residents(town, village, name);
CREATE INDEX insurance_payments_resident ON insurance_payments(resident_id);
CREATE INDEX insurance_payments_place ON insurance_payments(year, town, village);
CREATE UNIQUE INDEX insurance_payments_refund_once ON insurance_payments(refund_of);
