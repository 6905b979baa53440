/* jobs.c - the daily jobs and their scheduler thread: each job runs once per day across every server sharing the database. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "jobs.h"
#include "../modules/disclosure/dlog.h"
#include "../modules/disclosure/disclosure.h"
#include "../auth/perm.h"
#include "../base/date.h"
#include "../base/log.h"
#include "../modules/rules/findings.h"

/*
 * Refresh the planner's statistics (SQLite: PRAGMA optimize; PostgreSQL:
 * ANALYZE) so list and dashboard queries keep their indexes as the data
 * grows: without statistics SQLite sorted whole tables (bench/RESULTS.md).
 */
static int optimize_job(const struct app *app, struct db *db, const char *day, char *detail,
			size_t detail_len)
{
	int rc;

	(void)app, (void)day;
	rc = db_run(db, db_kind(db) == DB_SQLITE ? "PRAGMA optimize" : "ANALYZE", "");
	snprintf(detail, detail_len, "%s", rc == DB_OK ? "已更新查询统计信息" : "更新查询统计信息失败");
	return rc == DB_OK ? 0 : -1;
}

const struct job app_jobs[] = {
	{ "status", "支部状态评估（红黄绿）", findings_status_job },
	{ "optimize", "更新数据库查询统计信息", optimize_job },
	{ "dlog", "三务公开日志检查点签名", dlog_checkpoint_job },
	{ "disclosure_scan", "三务公开问题自动下达整改", disclosure_scan_job },
	{ NULL, NULL, NULL },
};

static const char SQL_CLAIM[] =
	"INSERT INTO job_runs (run_key, started_at) VALUES (?, ?)";
static const char SQL_FINISH[] =
	"UPDATE job_runs SET finished_at = ?, outcome = ?, detail = ? WHERE run_key = ?";

static const struct job *job_find(const char *name)
{
	for (const struct job *j = app_jobs; j->name; j++)
		if (strcmp(j->name, name) == 0)
			return j;
	return NULL;
}

int jobs_run(const struct app *app, struct db *db, const char *name, const char *day, int force)
{
	const struct job *j = job_find(name);
	char key[128], now[24], detail[256] = "";
	int rc, ok;

	if (!j)
		return -1;
	ts_now(now);
	if (force)
		snprintf(key, sizeof(key), "%s:%s:%s", name, day, now);
	else
		snprintf(key, sizeof(key), "%s:%s", name, day);
	rc = db_run(db, SQL_CLAIM, "ss", key, now);
	if (rc == DB_ECONSTRAINT)
		return 0;	/* another server (or an earlier run today) has it */
	if (rc != DB_OK) {
		log_error("job %s: cannot claim %s (%d)", name, key, rc);
		return -1;
	}
	ok = j->fn(app, db, day, detail, sizeof(detail)) == 0;
	ts_now(now);
	if (db_run(db, SQL_FINISH, "ssss", now, ok ? "ok" : "failed", detail, key) != DB_OK)
		log_error("job %s: cannot record the end of %s", name, key);
	if (ok)
		log_info("job %s for %s: %s", name, day, detail);
	else
		log_error("job %s for %s failed: %s", name, day, detail);
	return ok ? 1 : -1;
}

struct jobs {
	const struct app *app;
	int interval_s;
	int stop;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
};

/* Run every job whose key for today is free, then sleep; until jobs_stop. */
static void *loop(void *arg)
{
	struct jobs *js = arg;

	pthread_mutex_lock(&js->mu);
	while (!js->stop) {
		char day[16];
		struct timespec until;
		pthread_mutex_unlock(&js->mu);
		date_format(date_today_cn(), day);
		for (const struct job *j = app_jobs; j->name; j++) {
			struct db *db = db_pool_acquire(js->app->pool);
			if (!db)
				break;
			jobs_run(js->app, db, j->name, day, 0);
			db_pool_release(js->app->pool, db);
		}
		pthread_mutex_lock(&js->mu);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += js->interval_s;
		while (!js->stop && pthread_cond_timedwait(&js->cv, &js->mu, &until) == 0)
			;
	}
	pthread_mutex_unlock(&js->mu);
	return NULL;
}

struct jobs *jobs_start(const struct app *app, int interval_s)
{
	const char *off = getenv("ZHIBU_JOBS");
	struct jobs *js;

	if (off && strcmp(off, "0") == 0)
		return NULL;
	js = calloc(1, sizeof(*js));
	if (!js)
		return NULL;
	js->app = app;
	js->interval_s = interval_s > 0 ? interval_s : 600;
	pthread_mutex_init(&js->mu, NULL);
	pthread_cond_init(&js->cv, NULL);
	if (pthread_create(&js->thread, NULL, loop, js) != 0) {
		log_error("cannot start the jobs thread");
		pthread_mutex_destroy(&js->mu);
		pthread_cond_destroy(&js->cv);
		free(js);
		return NULL;
	}
	return js;
}

void jobs_stop(struct jobs *js)
{
	if (!js)
		return;
	pthread_mutex_lock(&js->mu);
	js->stop = 1;
	pthread_cond_signal(&js->cv);
	pthread_mutex_unlock(&js->mu);
	pthread_join(js->thread, NULL);
	pthread_mutex_destroy(&js->mu);
	pthread_cond_destroy(&js->cv);
	free(js);
}

static const char SQL_RUNS[] =
	"SELECT run_key, started_at, finished_at, outcome, detail FROM job_runs"
	" ORDER BY started_at DESC, run_key DESC LIMIT 50";

/* GET /jobs: the jobs and their recent runs. */
void jobs_http_list(struct req *r)
{
	struct db_stmt *st = db_prepare(req_ctx(r)->db, SQL_RUNS);
	json_t *jobs = json_array(), *runs = json_array();
	int rc = DB_EGENERIC;

	for (const struct job *j = app_jobs; j->name; j++)
		json_array_append_new(jobs, json_pack("{s:s, s:s}", "name", j->name, "label", j->label));
	while (st && (rc = db_step(st)) == DB_ROW)
		json_array_append_new(runs, json_pack("{s:s, s:s, s:s?, s:s, s:s}",
			"run_key", db_col_text(st, 0), "started_at", db_col_text(st, 1),
			"finished_at", db_col_text(st, 2), "outcome", db_col_text(st, 3),
			"detail", db_col_text(st, 4)));
	db_finalize(st);
	if (rc != DB_DONE) {
		json_decref(jobs);
		json_decref(runs);
		app_db_fail(r, rc, 0);
		return;
	}
	resp_json(r, 200, json_pack("{s:o, s:o}", "jobs", jobs, "runs", runs));
}

/*
 * POST /jobs/:name/run?day=YYYY-MM-DD: run a job now (on demand), for today
 * or the day given; answers its outcome.
 */
void jobs_http_run(struct req *r)
{
	const char *name = req_param(r, "name"), *day = req_query(r, "day");
	struct ymd d;
	char today[16];
	int rc;

	if (!job_find(name)) {
		resp_error(r, ZB_ENOTFOUND, "没有这个后台任务");
		return;
	}
	if (day && *day && date_parse_iso(day, &d) != 0) {
		struct zb_fail f;
		zb_fail_init(&f);
		zb_fail_field(&f, "day", "日期应为 YYYY-MM-DD 格式");
		resp_fail(r, &f);
		return;
	}
	if (!day || !*day) {
		date_format(date_today_cn(), today);
		day = today;
	}
	rc = jobs_run(r->app, req_ctx(r)->db, name, day, 1);
	if (rc < 0) {
		resp_error(r, ZB_EINTERNAL, "后台任务执行失败，详情见服务器日志");
		return;
	}
	jobs_http_list(r);
}
