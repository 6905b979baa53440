/* jobs.h - background jobs run by `zhibu serve`: daily work (the compliance evaluation, signing checkpoints) that runs once per day even with several servers. */
#ifndef ZB_JOBS_H
#define ZB_JOBS_H

#include "app.h"

/*
 * A job has a name and runs once per run key (name + ":" + the China-time
 * date). Before running, a server inserts the key into job_runs; the insert
 * that succeeds runs the job, every other server (or a second call the same
 * day) skips it. A job gets its own database connection from the pool and
 * the day ("YYYY-MM-DD") it runs for; it returns 0 or -1, and may write a
 * short detail (Chinese) for job_runs.detail.
 */
typedef int (*job_fn)(const struct app *app, struct db *db, const char *day, char *detail, size_t detail_len);

struct job {
	const char *name;
	const char *label;	/* 中文 */
	job_fn fn;
};

/* The table of daily jobs (jobs.c), terminated by a NULL name. */
extern const struct job app_jobs[];

/*
 * Run the job `name` for `day` unless its key is already in job_runs.
 * `force` runs it again (key "name:day:HHMMSS", for the on-demand button).
 * Returns 1 when it ran and succeeded, 0 when skipped (already run),
 * -1 when it failed or the job is unknown.
 */
int jobs_run(const struct app *app, struct db *db, const char *name, const char *day, int force);

/*
 * Start the scheduler thread: at start-up and then every `interval_s`
 * seconds it runs every daily job whose key for today is not yet taken.
 * ZHIBU_JOBS=0 turns it off (tests drive jobs by the on-demand route).
 * Returns an opaque handle, NULL when off or failed; jobs_stop joins it.
 */
struct jobs;
struct jobs *jobs_start(const struct app *app, int interval_s);
void jobs_stop(struct jobs *j);

/* GET /api/v1/jobs: recent runs; POST /api/v1/jobs/:name/run: run now (force). */
void jobs_http_list(struct req *r);
void jobs_http_run(struct req *r);

#endif
