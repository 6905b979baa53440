/* testdb.h - a unit test's private folder and database: made fresh for each test, removed whole after it. */
#ifndef ZB_TESTDB_H
#define ZB_TESTDB_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include "../../src/db/db.h"

/* nftw callback: remove one entry, deepest first. */
static inline int testdb_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

/* Remove dir and everything in it: the database, its -wal and -shm, what the test wrote. 0 / -1. */
static inline int testdir_remove(const char *dir)
{
	return nftw(dir, testdb_rm, 16, FTW_DEPTH | FTW_PHYS);
}

/*
 * A fresh folder /tmp/zhibu-test-NAME-XXXXXX in dir, the path of FILE in it
 * in path, and that database opened into *db, migrated to the current schema
 * when migrate is set. 0, or -1 after removing what it made.
 */
static inline int testdb_make(char *dir, size_t dirlen, char *path, size_t pathlen, const char *name,
		       const char *file, struct db **db, int migrate)
{
	*db = NULL;
	if (snprintf(dir, dirlen, "/tmp/zhibu-test-%s-XXXXXX", name) >= (int)dirlen || !mkdtemp(dir))
		return -1;
	if (snprintf(path, pathlen, "%s/%s", dir, file) >= (int)pathlen ||
	    db_open(path, db) != DB_OK || (migrate && db_migrate(*db, NULL) <= 0)) {
		if (*db)
			db_close(*db);
		*db = NULL;
		testdir_remove(dir);
		return -1;
	}
	return 0;
}

/* For a fixture f with char dir[], char path[] and struct db *db. */
#define TESTDB_MAKE(f, name, file, migrate) \
	testdb_make((f)->dir, sizeof((f)->dir), (f)->path, sizeof((f)->path), (name), (file), &(f)->db, (migrate))

/* Close f's database and remove its folder: the teardown of a TESTDB_MAKE fixture. 0 / -1. */
#define TESTDB_DROP(f) (db_close((f)->db), (f)->db = NULL, testdir_remove((f)->dir))

#endif
