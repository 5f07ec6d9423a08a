-- PostgreSQL's 0006 gives residents' ID numbers and places byte-order
-- (COLLATE "C") comparisons; SQLite's default BINARY collation already is.
-- This file keeps the two migration histories numbered alike.
SELECT 1;
