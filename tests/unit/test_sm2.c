/* test_sm2.c - SM2 signatures with the standard user id: round trip, tampering, another id, the key file, and agreement with the openssl command line. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "../../src/auth/sm2.h"
#include "testdb.h"

struct fx {
	char dir[64];
	char key[128], pub[128], msg[128], sig[128];
	EVP_PKEY *k;
};

static const char message[] = "zhibu-dlog-v1\n3\n5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328\n2026-11-29T03:00:00Z\n";

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	FILE *fp;

	snprintf(f->dir, sizeof(f->dir), "/tmp/zhibu-test-sm2-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->key, sizeof(f->key), "%s/k.sign.pem", f->dir);
	snprintf(f->pub, sizeof(f->pub), "%s/pub.pem", f->dir);
	snprintf(f->msg, sizeof(f->msg), "%s/msg", f->dir);
	snprintf(f->sig, sizeof(f->sig), "%s/sig.der", f->dir);
	f->k = sm2_key_generate();
	assert_non_null(f->k);
	fp = fopen(f->msg, "w");
	assert_non_null(fp);
	assert_int_equal(fwrite(message, 1, strlen(message), fp), strlen(message));
	fclose(fp);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	EVP_PKEY_free(f->k);
	assert_int_equal(testdir_remove(f->dir), 0);
	free(f);
	return 0;
}

static void test_round_trip(void **state)
{
	struct fx *f = *state;
	unsigned char sig[SM2_SIG_MAX];
	size_t n = 0;

	assert_int_equal(sm2_sign(f->k, NULL, message, strlen(message), sig, &n), 0);
	assert_true(n >= 8 && n <= SM2_SIG_MAX);
	assert_int_equal(sig[0], 0x30);	/* DER SEQUENCE */
	assert_int_equal(sm2_verify(f->k, NULL, message, strlen(message), sig, n), 1);
	assert_int_equal(sm2_verify(f->k, SM2_DEFAULT_ID, message, strlen(message), sig, n), 1);
	/* an empty message signs too */
	assert_int_equal(sm2_sign(f->k, NULL, "", 0, sig, &n), 0);
	assert_int_equal(sm2_verify(f->k, NULL, "", 0, sig, n), 1);
}

static void test_tampering_fails(void **state)
{
	struct fx *f = *state;
	unsigned char sig[SM2_SIG_MAX], m[sizeof(message)];
	size_t n = 0;
	EVP_PKEY *other = sm2_key_generate();

	assert_int_equal(sm2_sign(f->k, NULL, message, strlen(message), sig, &n), 0);
	/* one bit of the message */
	memcpy(m, message, sizeof(message));
	m[15] ^= 0x01;
	assert_int_equal(sm2_verify(f->k, NULL, m, strlen(message), sig, n), 0);
	/* one bit of the signature, at the end of s */
	sig[n - 1] ^= 0x01;
	assert_int_equal(sm2_verify(f->k, NULL, message, strlen(message), sig, n), 0);
	sig[n - 1] ^= 0x01;
	/* a truncated signature */
	assert_int_equal(sm2_verify(f->k, NULL, message, strlen(message), sig, n - 1), 0);
	/* another user id changes Z, so the signature does not verify */
	assert_int_equal(sm2_verify(f->k, "1234567812345679", message, strlen(message), sig, n), 0);
	assert_int_equal(sm2_verify(f->k, "", message, strlen(message), sig, n), 0);
	/* another key */
	assert_non_null(other);
	assert_int_equal(sm2_verify(other, NULL, message, strlen(message), sig, n), 0);
	EVP_PKEY_free(other);
}

static void test_key_file(void **state)
{
	struct fx *f = *state;
	unsigned char sig[SM2_SIG_MAX];
	char err[256];
	size_t n;
	struct stat sb;
	EVP_PKEY *loaded, *again, *pub;
	char *pem, *pem2;

	/* load_or_create makes a 0600 file the first time and reads it after */
	loaded = sm2_key_load_or_create(f->key, err, sizeof(err));
	assert_non_null(loaded);
	assert_int_equal(stat(f->key, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	again = sm2_key_load_or_create(f->key, err, sizeof(err));
	assert_non_null(again);
	pem = sm2_public_pem(loaded);
	pem2 = sm2_public_pem(again);
	assert_non_null(pem);
	assert_non_null(strstr(pem, "-----BEGIN PUBLIC KEY-----"));
	assert_string_equal(pem, pem2);
	/* saving over an existing file is refused */
	assert_int_equal(sm2_key_save(f->key, f->k), -1);
	/* a signature by the file's key verifies with the public PEM */
	pub = sm2_public_from_pem(pem);
	assert_non_null(pub);
	assert_int_equal(sm2_sign(again, NULL, message, strlen(message), sig, &n), 0);
	assert_int_equal(sm2_verify(pub, NULL, message, strlen(message), sig, n), 1);
	/* a public key cannot sign */
	assert_int_equal(sm2_sign(pub, NULL, message, strlen(message), sig, &n), -1);
	/* a key file readable by others is refused */
	assert_int_equal(chmod(f->key, 0644), 0);
	assert_null(sm2_key_load(f->key, err, sizeof(err)));
	assert_non_null(strstr(err, "0600"));
	/* garbage is not a key */
	assert_null(sm2_public_from_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"));
	EVP_PKEY_free(loaded);
	EVP_PKEY_free(again);
	EVP_PKEY_free(pub);
	free(pem);
	free(pem2);
}

static void write_file(const char *path, const void *p, size_t n)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	assert_int_equal(fwrite(p, 1, n, fp), n);
	fclose(fp);
}

static size_t read_file(const char *path, unsigned char *p, size_t cap)
{
	FILE *fp = fopen(path, "r");
	size_t n;

	assert_non_null(fp);
	n = fread(p, 1, cap, fp);
	fclose(fp);
	return n;
}

static int run(const char *cmd)
{
	int rc = system(cmd);

	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/*
 * The offline procedure of docs/verify-disclosure.md: a signature made by
 * `openssl pkeyutl` (OpenSSL 3.0: -rawin -digest sm3 -pkeyopt distid:...)
 * verifies here, and a signature made here verifies with `openssl pkeyutl`
 * and `openssl dgst -sm3 -sigopt distid:...`.
 */
static void test_openssl_command_line(void **state)
{
	struct fx *f = *state;
	unsigned char sig[256];
	char cmd[1024], *pem;
	size_t n;

	assert_int_equal(sm2_key_save(f->key, f->k), 0);
	pem = sm2_public_pem(f->k);
	assert_non_null(pem);
	write_file(f->pub, pem, strlen(pem));
	free(pem);

	snprintf(cmd, sizeof(cmd), "openssl pkeyutl -sign -inkey %s -rawin -digest sm3 "
		 "-pkeyopt distid:1234567812345678 -in %s -out %s", f->key, f->msg, f->sig);
	assert_int_equal(run(cmd), 0);
	n = read_file(f->sig, sig, sizeof(sig));
	assert_true(n > 0 && n <= SM2_SIG_MAX);
	assert_int_equal(sm2_verify(f->k, NULL, message, strlen(message), sig, n), 1);
	assert_int_equal(sm2_verify(f->k, "1234567812345679", message, strlen(message), sig, n), 0);

	/* signed with another id on the command line: not valid for the standard id */
	snprintf(cmd, sizeof(cmd), "openssl pkeyutl -sign -inkey %s -rawin -digest sm3 "
		 "-pkeyopt distid:ALICE123@YAHOO.COM -in %s -out %s", f->key, f->msg, f->sig);
	assert_int_equal(run(cmd), 0);
	n = read_file(f->sig, sig, sizeof(sig));
	assert_int_equal(sm2_verify(f->k, NULL, message, strlen(message), sig, n), 0);
	assert_int_equal(sm2_verify(f->k, "ALICE123@YAHOO.COM", message, strlen(message), sig, n), 1);

	/* ours, checked by the command line with the public key only */
	assert_int_equal(sm2_sign(f->k, NULL, message, strlen(message), sig, &n), 0);
	write_file(f->sig, sig, n);
	snprintf(cmd, sizeof(cmd), "openssl pkeyutl -verify -pubin -inkey %s -rawin -digest sm3 "
		 "-pkeyopt distid:1234567812345678 -in %s -sigfile %s >/dev/null 2>&1",
		 f->pub, f->msg, f->sig);
	assert_int_equal(run(cmd), 0);
	snprintf(cmd, sizeof(cmd), "openssl dgst -sm3 -verify %s -sigopt distid:1234567812345678 "
		 "-signature %s %s >/dev/null 2>&1", f->pub, f->sig, f->msg);
	assert_int_equal(run(cmd), 0);
	/* and refused by it once the message changed */
	write_file(f->msg, "tampered", 8);
	snprintf(cmd, sizeof(cmd), "openssl pkeyutl -verify -pubin -inkey %s -rawin -digest sm3 "
		 "-pkeyopt distid:1234567812345678 -in %s -sigfile %s >/dev/null 2>&1",
		 f->pub, f->msg, f->sig);
	assert_int_not_equal(run(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tampering_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_openssl_command_line, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
