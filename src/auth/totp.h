/* totp.h - RFC 6238 TOTP (HMAC-SHA1, 30 s, 6 digits) and base32 secrets for authenticator apps. */
#ifndef ZB_TOTP_H
#define ZB_TOTP_H

#include <stdint.h>
#include <stddef.h>

/* HOTP value (RFC 4226) for a counter, `digits` 6..8. */
uint32_t hotp(const unsigned char *key, size_t keylen, uint64_t counter, int digits);
/* TOTP code for Unix time t (30 s steps, 6 digits). */
uint32_t totp_at(const unsigned char *key, size_t keylen, int64_t t);
/*
 * Check a 6-digit code typed by the user, allowing +-1 step of drift.
 * Returns the matching step counter (> 0) so the caller can refuse reuse
 * (a step <= the last one used), or 0 when it does not match.
 */
int64_t totp_verify(const unsigned char *key, size_t keylen, const char *code, int64_t now);
/* RFC 4648 base32 without padding. Return length or -1. */
int base32_encode(const unsigned char *in, size_t n, char *out, size_t outcap);
int base32_decode(const char *in, unsigned char *out, size_t outcap);

#endif
