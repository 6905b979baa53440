-- 0018_people_org_status: the people list counts and pages a subtree's people by org and status; this index serves both (bench/RESULTS.md: the count was 84% of a people page at county scale).
CREATE INDEX people_org_status ON people (org_id, status);
