/* metrics_internal.h - helpers the metrics_*.c files share; not for other modules. */
#ifndef ZB_EVAL_METRICS_INTERNAL_H
#define ZB_EVAL_METRICS_INTERNAL_H

#include "metrics.h"

/* "YYYY-MM-DD" of a day number. */
void metric_day_text(int64_t day, char out[11]);
/* One row of two integers from sql bound with (org_path + "%", from, to). DB_OK or DB_E*. */
int metric_pair(struct db *db, struct arena *a, const char *sql, const char *org_path,
		int64_t from_day, int64_t to_day, int64_t *num /* OUT */, int64_t *den /* OUT */);
/* A share num/den (no value when den is 0) with its inputs. */
void metric_share(struct metric_value *out, int64_t num, int64_t den, const char *num_label,
		  const char *den_label);

#endif
