/* date.h - calendar dates and UTC timestamps as ISO-8601 text. */
#ifndef ZB_DATE_H
#define ZB_DATE_H

#include <stdint.h>
#include <stddef.h>

struct ymd { int y, m, d; };

/* Parse exactly "YYYY-MM-DD" (a real calendar date, year 1900-2200). 0 ok, -1 bad. */
int date_parse_iso(const char *s, struct ymd *out /* OUT */);
int date_valid(int y, int m, int d);
/* Days since 1970-01-01 (may be negative). */
int64_t date_to_days(struct ymd d);
struct ymd date_from_days(int64_t days);
/* "YYYY-MM-DD" into out (at least 11 bytes). */
void date_format(struct ymd d, char *out);
/* Current UTC time as "YYYY-MM-DDTHH:MM:SSZ" into out (at least 21 bytes). */
void ts_now(char *out);
/* Format a Unix time the same way. */
void ts_format(int64_t unix_seconds, char *out);
/* Current Unix time in seconds, and a monotonic clock in milliseconds. */
int64_t time_now(void);
int64_t time_mono_ms(void);
/* Today's date in Asia/Shanghai (UTC+8, no DST) - the date users mean. */
struct ymd date_today_cn(void);
/* The calendar date in Asia/Shanghai at Unix time t (date_today_cn() is this at time_now()). */
struct ymd date_cn_from_unix(int64_t t);

#endif
