-- compliance.sql - the floor for GET /api/v1/compliance: each party org of the subtree x meeting requirement x period,
-- with the meetings of that type held in the period (current versions) and those held after it within its grace days.
-- :like, :from, :to are replaced by bench/run.
WITH RECURSIVE mon(m) AS (
	SELECT date(:from)
	UNION ALL SELECT date(m, '+1 month') FROM mon WHERE date(m, '+1 month') <= :to
), periods(freq, p_from, p_to) AS (
	SELECT 'monthly', m, date(m, '+1 month', '-1 day') FROM mon
	UNION ALL SELECT 'quarterly', m, date(m, '+3 month', '-1 day') FROM mon WHERE CAST(strftime('%m', m) AS INTEGER) % 3 = 1
	UNION ALL SELECT 'yearly', m, date(m, '+12 month', '-1 day') FROM mon WHERE strftime('%m', m) = '01'
)
SELECT o.id, r.what, p.p_from, r.per_period,
	(SELECT COUNT(*) FROM meetings m JOIN meeting_types t ON t.meeting_id = m.id
	 WHERE m.org_id = o.id AND t.type = r.what AND m.superseded_by IS NULL
	 AND m.held_on BETWEEN p.p_from AND p.p_to) AS done,
	(SELECT COUNT(*) FROM meetings m JOIN meeting_types t ON t.meeting_id = m.id
	 WHERE m.org_id = o.id AND t.type = r.what AND m.superseded_by IS NULL
	 AND m.held_on > p.p_to AND m.held_on <= date(p.p_to, '+' || r.grace_days || ' days')) AS late
FROM orgs o
JOIN requirements r ON r.subject = 'meeting' AND r.valid_to IS NULL
	AND (r.org_kinds = '' OR instr(',' || r.org_kinds || ',', ',' || o.kind || ',') > 0)
JOIN periods p ON p.freq = r.frequency
WHERE o.path LIKE :like AND o.status = 'active'
ORDER BY o.path, r.what, p.p_from;
-- each org's last meeting (the table's `orgs` part)
SELECT o.id, o.name, (SELECT MAX(m.held_on) FROM meetings m WHERE m.org_id = o.id AND m.superseded_by IS NULL)
FROM orgs o WHERE o.path LIKE :like AND o.status = 'active' AND o.kind IN ('branch', 'general_branch', 'party_group');
