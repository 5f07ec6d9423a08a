-- Resident insurance collection (山政办发〔2022〕4号): money that cannot be bent.
-- What a resident has paid is never negative and never above what the roster
-- says they owe (本人应缴 total_due_fen; 代缴 medical + pension on behalf);
-- a payment is a positive amount, a refund (退费) a negative one pointing at
-- the payment it returns, and a payment is refunded at most once.
ALTER TABLE insurance_residents
    ADD CONSTRAINT insurance_residents_medical_on_behalf_nonnegative CHECK (medical_on_behalf_fen >= 0),
    ADD CONSTRAINT insurance_residents_pension_on_behalf_nonnegative CHECK (pension_on_behalf_fen >= 0),
    ADD CONSTRAINT insurance_residents_due_nonnegative CHECK (total_due_fen >= 0),
    ADD CONSTRAINT insurance_residents_paid_within_due CHECK (paid_fen >= 0 AND paid_fen <= total_due_fen),
    ADD CONSTRAINT insurance_residents_on_behalf_within_due
        CHECK (on_behalf_paid_fen >= 0 AND on_behalf_paid_fen <= medical_on_behalf_fen + pension_on_behalf_fen);
ALTER TABLE insurance_payments
    ADD CONSTRAINT insurance_payments_amount_sign CHECK ((refund_of IS NULL AND amount_fen > 0) OR (refund_of IS NOT NULL AND amount_fen < 0));
CREATE UNIQUE INDEX insurance_payments_refund_once ON insurance_payments(refund_of);
