-- dashboard.sql - the floor for GET /api/v1/dashboard: the same six queries report_dash.c runs (members by status,
-- meetings by month and type, task items, deeds, stars, honours) plus the meeting compliance behind its findings panel.
SELECT pe.political_status, COALESCE(MIN(d.label_zh), pe.political_status), COUNT(*)
 FROM people pe JOIN orgs o ON o.id = pe.org_id
 LEFT JOIN dict_items d ON d.dict = 'political_status' AND d.code = pe.political_status
 WHERE o.path LIKE :like AND pe.status = 'active' GROUP BY pe.political_status;
SELECT substr(m.held_on, 1, 7), t.type, COALESCE(MIN(d.label_zh), t.type), COUNT(*)
 FROM meetings m JOIN orgs o ON o.id = m.org_id JOIN meeting_types t ON t.meeting_id = m.id
 LEFT JOIN dict_items d ON d.dict = 'meeting_type' AND d.code = t.type
 WHERE o.path LIKE :like AND m.superseded_by IS NULL AND m.held_on >= :from AND m.held_on <= :to
 GROUP BY substr(m.held_on, 1, 7), t.type ORDER BY 1, 2;
SELECT ti.status, COUNT(*), COALESCE(SUM(CASE WHEN ti.status NOT IN ('done', 'accepted') AND ti.due_on < :day THEN 1 ELSE 0 END), 0)
 FROM task_items ti JOIN orgs o ON o.id = ti.owner_org_id WHERE o.path LIKE :like
 AND ti.archived_at IS NULL AND ti.due_on >= :from AND ti.due_on <= :to
 AND ti.id NOT IN (SELECT c.parent_id FROM task_items c WHERE c.parent_id IS NOT NULL AND c.archived_at IS NULL)
 GROUP BY ti.status ORDER BY ti.status;
SELECT d.closed_on, d.category, COALESCE(c.label_zh, d.category), d.received_on
 FROM deeds d JOIN orgs o ON o.id = d.org_id
 LEFT JOIN dict_items c ON c.dict = 'deed_category' AND c.code = d.category
 WHERE o.path LIKE :like AND d.close_reason = 'solved' AND d.status IN ('closed', 'followed_up')
 AND d.closed_on >= :from AND d.closed_on <= :to ORDER BY d.closed_on;
SELECT COALESCE(e.stars, 0), COUNT(*) FROM eval_entries e JOIN eval_rounds r ON r.id = e.round_id
 JOIN orgs o ON o.id = e.org_id WHERE o.path LIKE :like AND r.status = 'published'
 AND r.to_on >= :from AND r.to_on <= :to GROUP BY COALESCE(e.stars, 0) ORDER BY 1 DESC;
SELECT r.category, COALESCE(MIN(d.label_zh), r.category), COUNT(*)
 FROM honour_nominations n JOIN honour_rounds r ON r.id = n.round_id JOIN orgs o ON o.id = n.org_id
 LEFT JOIN dict_items d ON d.dict = 'honour_category' AND d.code = r.category
 WHERE n.status = 'awarded' AND o.path LIKE :like AND r.year >= CAST(substr(:from, 1, 4) AS INTEGER)
 AND r.year <= CAST(substr(:to, 1, 4) AS INTEGER) GROUP BY r.category;
.read q-compliance.sql
