/* files.h - attachments: files stored once (content-addressed by SM3) and linked to any record of any module. */
#ifndef ZB_FILES_H
#define ZB_FILES_H

#include <stdint.h>
#include <jansson.h>
#include "../../app/app.h"

/*
 * A file belongs to the org it was uploaded for and is readable by whoever
 * reads that org's subtree. Its bytes live at <files_dir>/store/<sm3>; the
 * same bytes uploaded again for the same org return the existing row, so the
 * web app can offer "already uploaded" files and nobody uploads twice.
 * Accepted: PDF, JPEG, PNG, and Office Open XML (docx/xlsx/pptx), told by
 * their first bytes, at most FILES_MAX_BYTES.
 *
 * HTTP (files.c):
 *   POST /api/v1/files?org=ID&name=原文件名.pdf   raw body = the bytes
 *        -> 201 {id, org_id, name, mime, size, sm3, created_at} (200 when it already existed)
 *   GET  /api/v1/files?org=ID                    the org's files, newest first (to reuse)
 *   GET  /api/v1/files/:id                        the bytes (Content-Disposition: attachment)
 *
 * Modules link files to their records inside their own write transaction
 * with files_attach(), and show them with files_list_json().
 */
#define FILES_MAX_BYTES (20 << 20)

/*
 * Link the files `ids` (n of them) to (owner_kind, owner_id), skipping ones
 * already linked. Each file must exist and belong to an org inside
 * `org_path`'s subtree or above it on the same line (a township file may be
 * attached to a branch's record); else `field` gets a Chinese error in f and
 * 0 is returned with nothing linked. Writes one audit row per link through
 * `who`. Call inside the caller's open transaction. Returns the number
 * linked (>= 0), 0 with f set when refused, or a negative DB_E*.
 */
struct audit_who;
struct zb_fail;
struct keys;
long files_attach(struct db *db, const struct keys *k, const struct audit_who *who,
		  const char *owner_kind, int64_t owner_id, const char *org_path,
		  const int64_t *ids, size_t n, const char *field, struct zb_fail *f);

/*
 * Make the files linked to (owner_kind, owner_id) exactly `ids`: links not in
 * the list are removed (removed_at set, audited; the file stays), new ones
 * attached as files_attach does. The form of a record sends its whole list,
 * so a file taken out of the list is unlinked. Same returns as files_attach
 * (the number newly linked).
 */
long files_set(struct db *db, const struct keys *k, const struct audit_who *who,
	       const char *owner_kind, int64_t owner_id, const char *org_path,
	       const int64_t *ids, size_t n, const char *field, struct zb_fail *f);

/* Parse a JSON array of file ids (from a request body) into ids; -1 with f set when malformed. */
long files_ids_from_json(const json_t *arr, struct arena *a, int64_t **ids /* OUT */,
			 const char *field, struct zb_fail *f);

/* The files linked to (owner_kind, owner_id) and not removed, as a JSON array (never NULL). */
json_t *files_list_json(struct db *db, const char *owner_kind, int64_t owner_id);

/*
 * Copy the attachments of one record to another (a corrected meeting keeps
 * its predecessor's files without uploading them again). DB_OK or DB_E*.
 */
int files_copy_links(struct db *db, const char *kind, int64_t from_id, int64_t to_id);

/* Route handlers. */
void files_http_upload(struct req *r);
void files_http_list(struct req *r);
void files_http_get(struct req *r);

#endif
