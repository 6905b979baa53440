-- 0017_deed_place.sql - where a resident's request is about (地点), optional free text; shown to staff only, never on the public tracking page.
ALTER TABLE deeds ADD COLUMN place TEXT NOT NULL DEFAULT '';
