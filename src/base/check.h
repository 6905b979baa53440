/* check.h - validators for identifiers users type: ID card numbers, credit codes, phones. */
#ifndef ZB_CHECK_H
#define ZB_CHECK_H

#include <stddef.h>
#include "date.h"

/*
 * 居民身份证号 (GB 11643-1999): 18 characters, ISO 7064 MOD 11-2 check
 * character, birth date at 7-14 that must be a real date not in the future.
 * A lower-case x is accepted. On success writes the upper-cased number to
 * `norm` (19 bytes) and returns NULL; on failure returns a Chinese reason.
 * Unknown region codes are accepted. `birth` and `male` may be NULL.
 */
const char *idcard_check(const char *s, char norm[19] /* OUT */,
			 struct ymd *birth /* OUT */, int *male /* OUT */);

/*
 * 统一社会信用代码 (GB 32100-2015): 18 characters from
 * 0123456789ABCDEFGHJKLMNPQRTUWXY with the weighted mod-31 check. Lower case
 * is upper-cased into `norm`. NULL on success, else a Chinese reason.
 */
const char *credit_code_check(const char *s, char norm[19] /* OUT */);

/* Mainland mobile (1[3-9]xxxxxxxxx) or fixed line (0xxx-xxxxxxx[x]). NULL or reason. */
const char *phone_check(const char *s);

/* Masks for display: "1101**********002X" (first 4, last 4), "138****5678" (first 3, last 4);
 * anything else shorter keeps only its first and last character. out >= strlen(s)+1. */
void mask_idcard(const char *s, char *out);
void mask_phone(const char *s, char *out);

#endif
