-- Joint meeting (山政办字〔2022〕19号), issue #10: state changes cannot be bent.
-- `version` is bumped by every write to a meeting, so that a step decided on
-- what was read takes effect only if nothing changed meanwhile; the stage is
-- one of the engine's codes; minutes numbers are unique; a stored material
-- is at most 20 MiB and its size is its bytes'.
ALTER TABLE meeting_meetings ADD COLUMN version BIGINT NOT NULL DEFAULT 0;

ALTER TABLE meeting_meetings ADD CONSTRAINT meeting_stage_known
    CHECK (stage IN ('proposed','called','materials_sent','opened','reported','discussed','voted','announced','summarised','minutes_issued'));

CREATE UNIQUE INDEX meeting_minutes_number_unique ON meeting_meetings (minutes_number);

ALTER TABLE meeting_materials ADD CONSTRAINT meeting_material_size
    CHECK (size >= 1 AND size <= 20971520 AND size = octet_length(data));
