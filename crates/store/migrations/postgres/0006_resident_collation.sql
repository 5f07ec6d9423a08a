-- Residents' ID numbers and places compare byte by byte, as on SQLite: an
-- ID number has no linguistic order, and the database's default collation
-- (strcoll per comparison) made index maintenance the larger part of a
-- million-resident import. Rosters sort names in code-point order on both
-- backends.
ALTER TABLE insurance_residents
    ALTER COLUMN id_number TYPE TEXT COLLATE "C",
    ALTER COLUMN town TYPE TEXT COLLATE "C",
    ALTER COLUMN village TYPE TEXT COLLATE "C",
    ALTER COLUMN name TYPE TEXT COLLATE "C";
