/* sm2.c - the township's SM2 signing key on disk, and SM2 signatures over SM3 with a distinguishing id (OpenSSL 3 EVP). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include "sm2.h"

EVP_PKEY *sm2_key_generate(void)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "SM2", NULL);
	EVP_PKEY *key = NULL;

	if (!ctx || EVP_PKEY_keygen_init(ctx) <= 0 || EVP_PKEY_keygen(ctx, &key) <= 0)
		key = NULL;
	EVP_PKEY_CTX_free(ctx);
	return key;
}

/*
 * The file is opened O_CREAT|O_EXCL with mode 0600 before any byte of the
 * key is written, so the key is never readable by others, not even briefly.
 */
int sm2_key_save(const char *path, EVP_PKEY *key)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	FILE *fp;
	int ok;

	if (fd < 0)
		return -1;
	fp = fdopen(fd, "w");
	if (!fp) {
		close(fd);
		unlink(path);
		return -1;
	}
	ok = PEM_write_PrivateKey(fp, key, NULL, NULL, 0, NULL, NULL) == 1;
	if (fflush(fp) != 0 || fsync(fileno(fp)) != 0)
		ok = 0;
	if (fclose(fp) != 0)
		ok = 0;
	if (!ok) {
		unlink(path);
		return -1;
	}
	return 0;
}

static int is_sm2(EVP_PKEY *key)
{
	return key && EVP_PKEY_is_a(key, "SM2");
}

EVP_PKEY *sm2_key_load(const char *path, char *err, size_t errlen)
{
	struct stat sb;
	EVP_PKEY *key;
	FILE *fp;

	fp = fopen(path, "re");
	if (!fp) {
		snprintf(err, errlen, "无法打开签名密钥文件：%s", strerror(errno));
		return NULL;
	}
	if (fstat(fileno(fp), &sb) != 0 || (sb.st_mode & 077)) {
		snprintf(err, errlen, "签名密钥文件的权限过宽（应为 0600）");
		fclose(fp);
		return NULL;
	}
	key = PEM_read_PrivateKey(fp, NULL, NULL, NULL);
	fclose(fp);
	ERR_clear_error();
	if (!is_sm2(key)) {
		EVP_PKEY_free(key);
		snprintf(err, errlen, "签名密钥文件不是 SM2 私钥");
		return NULL;
	}
	return key;
}

EVP_PKEY *sm2_key_load_or_create(const char *path, char *err, size_t errlen)
{
	EVP_PKEY *key;

	if (access(path, F_OK) == 0)
		return sm2_key_load(path, err, errlen);
	key = sm2_key_generate();
	if (!key) {
		snprintf(err, errlen, "无法生成 SM2 密钥");
		return NULL;
	}
	if (sm2_key_save(path, key) != 0) {
		int e = errno;
		EVP_PKEY_free(key);
		/* Another process may have created it meanwhile: use theirs. */
		if (e == EEXIST)
			return sm2_key_load(path, err, errlen);
		snprintf(err, errlen, "无法创建签名密钥文件：%s", strerror(e));
		return NULL;
	}
	return key;
}

char *sm2_public_pem(EVP_PKEY *key)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data, *out = NULL;
	long n;

	if (!b)
		return NULL;
	if (PEM_write_bio_PUBKEY(b, key) == 1) {
		n = BIO_get_mem_data(b, &data);
		if (n > 0 && (out = malloc((size_t)n + 1))) {
			memcpy(out, data, (size_t)n);
			out[n] = '\0';
		}
	}
	BIO_free(b);
	return out;
}

EVP_PKEY *sm2_public_from_pem(const char *pem)
{
	BIO *b = BIO_new_mem_buf(pem, -1);
	EVP_PKEY *key = NULL;

	if (b)
		key = PEM_read_bio_PUBKEY(b, NULL, NULL, NULL);
	BIO_free(b);
	ERR_clear_error();
	if (!is_sm2(key)) {
		EVP_PKEY_free(key);
		return NULL;
	}
	return key;
}

/*
 * One digest-sign or digest-verify context over SM3 with the id set on the
 * EVP_PKEY_CTX the init attached (OpenSSL 3 computes Z at the first update).
 */
static EVP_MD_CTX *sm2_ctx(EVP_PKEY *key, const char *id, int sign)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	int rc;

	if (!md || !is_sm2(key))
		goto fail;
	if (!id)
		id = SM2_DEFAULT_ID;
	rc = sign ? EVP_DigestSignInit(md, &pctx, EVP_sm3(), NULL, key)
		  : EVP_DigestVerifyInit(md, &pctx, EVP_sm3(), NULL, key);
	if (rc != 1 || !pctx || EVP_PKEY_CTX_set1_id(pctx, id, strlen(id)) <= 0)
		goto fail;
	return md;
fail:
	EVP_MD_CTX_free(md);
	ERR_clear_error();
	return NULL;
}

int sm2_sign(EVP_PKEY *key, const char *id, const void *msg, size_t len, unsigned char *sig,
	     size_t *siglen)
{
	EVP_MD_CTX *md = sm2_ctx(key, id, 1);
	size_t n = SM2_SIG_MAX;
	int ok;

	if (!md)
		return -1;
	ok = EVP_DigestSignUpdate(md, len ? msg : "", len) == 1 &&
	     EVP_DigestSignFinal(md, NULL, &n) == 1 && n <= SM2_SIG_MAX &&
	     EVP_DigestSignFinal(md, sig, &n) == 1;
	EVP_MD_CTX_free(md);
	ERR_clear_error();
	if (!ok)
		return -1;
	*siglen = n;
	return 0;
}

int sm2_verify(EVP_PKEY *key, const char *id, const void *msg, size_t len,
	       const unsigned char *sig, size_t siglen)
{
	EVP_MD_CTX *md = sm2_ctx(key, id, 0);
	int ok;

	if (!md)
		return 0;
	ok = EVP_DigestVerifyUpdate(md, len ? msg : "", len) == 1 &&
	     EVP_DigestVerifyFinal(md, sig, siglen) == 1;
	EVP_MD_CTX_free(md);
	ERR_clear_error();
	return ok;
}
