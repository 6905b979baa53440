/* eval.h - branch evaluation: schemes (the five strengths, competitions) as data, rounds from self-assessment to publication, stars, strongest-branch designations, weak and lax branches. */
#ifndef ZB_EVAL_H
#define ZB_EVAL_H

#include <stdint.h>
#include <jansson.h>
#include "../../app/app.h"
#include "../../auth/audit.h"

/*
 * CONTRACT (for the web pages). Every answer is JSON; points are numbers
 * with one decimal (the server keeps tenths); errors are the usual
 * {"error":{code,message,fields}} with Chinese messages. Actions: eval.read
 * (staff, secretary - own branch only -, discipline), eval.write (staff;
 * secretary: self-assessment of its own branch), eval.review (staff).
 * Everything is scoped: an id outside the caller's subtree answers 404.
 *
 * Scheme tree (eval_schemes.tree), the same JSON in and out:
 *   {"categories":[{"code":"political","name":"政治功能强","max":20,"weight":20?,
 *       "items":[{"code":"p1","name":"…","max":10,"source":"metric",
 *                 "metric":"meeting_compliance","map":{"kind":"linear"}
 *                   | {"kind":"bands","bands":[[0.9,10],[0.6,6]]}
 *                   | {"kind":"per_unit","per":0.5},
 *                 "if_empty":0,"guide":"what to do to gain the points"},
 *                {"code":"p2","name":"…","max":10,"source":"manual","guide":"…"}]}],
 *    "deductions":{"max":10,"items":[{"code":"d1","name":"…","max":5,"source":"manual"}]}}
 *   An item counts: the review score when given (with a reason), else the
 *   self-assessment (manual items) or the metric's points (record items);
 *   a category at most its max (weighted: weight% of max_total in
 *   proportion); total = categories - deductions (capped), within 0..max_total.
 *
 * Routes (all under /api/v1/eval):
 *   GET  /metrics                         [{code,label,formula,is_count}]
 *   GET  /schemes                         {items:[scheme without tree]} (current versions; all=1 every version)
 *   POST /schemes {code,name,kind,tree,max_total?,stars?}           201 scheme
 *   GET  /schemes/:id                     {id,code,name,kind,seq,tree,max_total,stars,version,
 *                                          used_by_rounds,previous_id,superseded_by,items:[{code,name,max,source,metric,formula,mapping}]}
 *   PUT  /schemes/:id {version,name?,tree?,max_total?,stars?}       200 same row, or 201 a new
 *                                          version when a round uses it (409 when stale or superseded)
 *   GET  /rounds?year=                    {items:[round]}
 *   POST /rounds {org_id,scheme_id,name,year,quarter?,five_star_quota?}  201 round; creates an
 *                                          entry per branch / general branch under org_id
 *   GET  /rounds/:id                      round + {entries:[{id,org_id,org_name,status,total,rank,stars,
 *                                          previous_stars,change:"up"|"down"|"same"|null}], tie_rule,
 *                                          live (computed now, before publication), can_review}
 *   POST /rounds/:id/review {version}     self -> review (eval.review)
 *   POST /rounds/:id/publish {version}    review -> published: totals, ranks, stars and every
 *                                          item's inputs frozen (eval.review)
 *   GET  /rounds/:id/ranking?detail=1     {round, items:[entry with categories and, with detail,
 *                                          lines]}: live before publication, frozen after
 *   GET  /entries/:id                     one branch's sheet: {entry, round, categories:[{code,name,max,
 *                                          points,score}], lines:[{code,name,category,max,source,metric,
 *                                          formula,mapping,value,has_value,inputs,link,metric_points,
 *                                          self_points,self_comment,review_points,review_reason,points,
 *                                          lost,guide,files}], deductions, total, stars, rank,
 *                                          lost_points:[lines sorted by lost desc], can_self_assess,
 *                                          can_review, recomputed_total?, recomputed_matches?}
 *   PUT  /entries/:id/scores {version, scores:[{item,points,comment?,reason?,files?}]}
 *                                          round 'self': self-assessment (eval.write, manual items
 *                                          only); round 'review': review scores (eval.review), a
 *                                          reason required for every score that differs
 *   POST /entries/:id/submit {version}    the branch submits its self-assessment
 *   GET  /compare?a=&b=                   {a,b,items:[{org_id,org_name,a_total,b_total,delta,a_stars,b_stars}]}
 *   GET  /designations?year=&level=       {items:[{id,org_id,org_name,year,level,status,history:[…]}],
 *                                          counts:{township,banner}} (designated ones counted)
 *   POST /designations {org_id,year,level,round_id?,note?}         201 nominated
 *   POST /designations/:id/advance {version,to,note?}  nominated -> reviewed -> designated; any -> withdrawn
 *   GET  /weak/candidates?year=           {rules:[{code,label,measurable,note}], items:[{org_id,org_name,
 *                                          reasons:[{rule,label,text}]}]}
 *   GET  /weak?status=                    {items:[weak]}
 *   POST /weak {org_id,year,reason,rules?}                         201 (manual or from candidates)
 *   GET  /weak/:id                        weak + steps + followups
 *   POST /weak/:id/steps {action,owner,deadline}                   201
 *   POST /weak/:id/followups {note,step_id?,step_done?}            201 (step_done marks the step done)
 *   POST /weak/:id/lift {version,reason}  lifted, with the reason
 */

/* Route handlers (eval_http.c, eval_weak.c). */
void eval_http_metrics(struct req *r);
void eval_http_schemes(struct req *r);
void eval_http_scheme_create(struct req *r);
void eval_http_scheme_get(struct req *r);
void eval_http_scheme_update(struct req *r);
void eval_http_rounds(struct req *r);
void eval_http_round_create(struct req *r);
void eval_http_round_get(struct req *r);
void eval_http_round_review(struct req *r);
void eval_http_round_publish(struct req *r);
void eval_http_ranking(struct req *r);
void eval_http_entry_get(struct req *r);
void eval_http_entry_scores(struct req *r);
void eval_http_entry_submit(struct req *r);
void eval_http_compare(struct req *r);
void eval_http_designations(struct req *r);
void eval_http_designation_create(struct req *r);
void eval_http_designation_advance(struct req *r);
void eval_http_weak_candidates(struct req *r);
void eval_http_weak_list(struct req *r);
void eval_http_weak_create(struct req *r);
void eval_http_weak_get(struct req *r);
void eval_http_weak_step(struct req *r);
void eval_http_weak_followup(struct req *r);
void eval_http_weak_lift(struct req *r);

/*
 * The demo township's evaluation (eval_demo.c): the five-strong scheme and
 * a competition scheme, the 2022 round scored from the other modules' demo
 * records and published, 1 banner-level and 8 township-level strongest
 * branches designated, one weak branch under rectification. Inside the
 * caller's transaction, after the other modules' demo loaders. DB_OK or DB_E*.
 */
int eval_demo_load(struct db *db, const struct keys *k, const struct audit_who *who,
		   int64_t root_org_id);

/* Findings (rules/findings.h): weak branches under rectification with overdue steps. */
struct findings_query;
struct findings;
int eval_findings(const struct findings_query *q, struct findings *out);

#endif
