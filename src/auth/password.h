/* password.h - Argon2id password hashing and the password policy check. */
#ifndef ZB_PASSWORD_H
#define ZB_PASSWORD_H

#include <stddef.h>

/* libsodium crypto_pwhash_str (Argon2id, interactive limits): out >= 128 bytes. 0 / -1. */
int password_hash(const char *password, char *out, size_t outlen);
/* 1 if it matches, 0 if not (or malformed hash). */
int password_verify(const char *hash, const char *password);
/*
 * A hash that matches no password, with the limits password_hash uses, so
 * checking a password against it costs what a real check costs (for unknown
 * usernames: timing must not tell which accounts exist). Made without
 * hashing anything: the salt and the tag are random. out >= 128 bytes. 0 / -1.
 */
int password_dummy_hash(char *out, size_t outlen);

/*
 * The policy: minimum length in characters and the number of character
 * classes (lower, upper, digit, other) required. Also refuses the username
 * inside the password (case-insensitive; usernames of 3+ characters), more
 * than 128 bytes and invalid UTF-8. NULL when acceptable, else a Chinese reason.
 */
struct password_policy { int min_length; int min_classes; };
const char *password_check(const struct password_policy *p, const char *password,
			   const char *username);
/* A random one-time password that satisfies any policy up to 16 chars / 4 classes. */
void password_generate(char *out, size_t len /* >= 17 */);

#endif
