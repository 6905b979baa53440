-- 0005_org_sort_key: a key that lists orgs in tree order, siblings by their sort number then id.
-- The path ('/1/4/9/') compares as text, so '/1/11/' came before '/1/2/'. Each level of
-- sort_key is the sort number in 5 digits and the id in 10 ('/0000000000001/...'), kept by
-- the orgs module on create, edit and move. Existing rows are keyed level by level here
-- (depth 0..15; the path length limit keeps real trees far shallower).

ALTER TABLE orgs ADD COLUMN sort_key TEXT NOT NULL DEFAULT '';

UPDATE orgs SET sort_key = '/' || substr(CAST(100000 + sort AS TEXT), 2)
	|| substr(CAST(10000000000 + id AS TEXT), 2) || '/' WHERE parent_id IS NULL;
UPDATE orgs SET sort_key = (SELECT p.sort_key FROM orgs p WHERE p.id = orgs.parent_id)
	|| substr(CAST(100000 + sort AS TEXT), 2) || substr(CAST(10000000000 + id AS TEXT), 2) || '/'
	WHERE depth = 1;
UPDATE orgs SET sort_key = (SELECT p.sort_key FROM orgs p WHERE p.id = orgs.parent_id)
	|| substr(CAST(100000 + sort AS TEXT), 2) || substr(CAST(10000000000 + id AS TEXT), 2) || '/'
	WHERE depth = 2;
UPDATE orgs SET sort_key = (SELECT p.sort_key FROM orgs p WHERE p.id = orgs.parent_id)
	|| substr(CAST(100000 + sort AS TEXT), 2) || substr(CAST(10000000000 + id AS TEXT), 2) || '/'
	WHERE depth = 3;
UPDATE orgs SET sort_key = (SELECT p.sort_key FROM orgs p WHERE p.id = orgs.parent_id)
	|| substr(CAST(100000 + sort AS TEXT), 2) || substr(CAST(10000000000 + id AS TEXT), 2) || '/'
	WHERE depth = 4;
UPDATE orgs SET sort_key = (SELECT p.sort_key FROM orgs p WHERE p.id = orgs.parent_id)
	|| substr(CAST(100000 + sort AS TEXT), 2) || substr(CAST(10000000000 + id AS TEXT), 2) || '/'
	WHERE depth = 5;
UPDATE orgs SET sort_key = (SELECT p.sort_key FROM orgs p WHERE p.id = orgs.parent_id)
	|| substr(CAST(100000 + sort AS TEXT), 2) || substr(CAST(10000000000 + id AS TEXT), 2) || '/'
	WHERE depth = 6;
UPDATE orgs SET sort_key = (SELECT p.sort_key FROM orgs p WHERE p.id = orgs.parent_id)
	|| substr(CAST(100000 + sort AS TEXT), 2) || substr(CAST(10000000000 + id AS TEXT), 2) || '/'
	WHERE depth = 7;

CREATE INDEX orgs_sort_key ON orgs (sort_key);
