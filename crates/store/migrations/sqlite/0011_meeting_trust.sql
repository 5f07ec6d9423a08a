-- Joint meeting (山政办字〔2022〕19号), issue #10: state changes cannot be bent.
-- `version` is bumped by every write to a meeting, so that a step decided on
-- what was read takes effect only if nothing changed meanwhile; the stage is
-- one of the engine's codes; minutes numbers are unique; a stored material
-- is at most 20 MiB and its size is its bytes'. SQLite cannot add CHECK
-- constraints to existing tables: triggers refuse what a CHECK would.
ALTER TABLE meeting_meetings ADD COLUMN version INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER meeting_stage_known_insert BEFORE INSERT ON meeting_meetings
WHEN NEW.stage NOT IN ('proposed','called','materials_sent','opened','reported','discussed','voted','announced','summarised','minutes_issued')
BEGIN SELECT RAISE(ABORT, 'meeting_meetings.stage: 未知会议阶段'); END;

CREATE TRIGGER meeting_stage_known_update BEFORE UPDATE OF stage ON meeting_meetings
WHEN NEW.stage NOT IN ('proposed','called','materials_sent','opened','reported','discussed','voted','announced','summarised','minutes_issued')
BEGIN SELECT RAISE(ABORT, 'meeting_meetings.stage: 未知会议阶段'); END;

CREATE UNIQUE INDEX meeting_minutes_number_unique ON meeting_meetings (minutes_number);

CREATE TRIGGER meeting_material_size_insert BEFORE INSERT ON meeting_materials
WHEN NEW.size < 1 OR NEW.size > 20971520 OR NEW.size <> length(NEW.data)
BEGIN SELECT RAISE(ABORT, 'meeting_materials.size: 材料大小须在 1 字节至 20 MB 之间'); END;
