/* cli.h - the subcommands of the zhibu command line; each returns the process exit status. */
#ifndef ZB_CLI_H
#define ZB_CLI_H

#include "../app/app.h"

#define ZHIBU_VERSION "0.1.0"

/* Open the database named by cfg and load its keys; prints the reason and returns -1 on failure. */
int cli_open(struct app *app, struct db **db /* OUT */, int need_schema);

int cli_init(struct app *app, int argc, char **argv);
int cli_serve(struct app *app, int argc, char **argv);
int cli_migrate(struct app *app, int argc, char **argv);
int cli_verify(struct app *app, int argc, char **argv);
int cli_backup(struct app *app, int argc, char **argv);
int cli_user(struct app *app, int argc, char **argv);
/* cli_transfer.c */
int cli_import(struct app *app, int argc, char **argv);
int cli_export(struct app *app, int argc, char **argv);
/* cli_report.c */
int cli_report(struct app *app, int argc, char **argv);
/* cli_restore.c */
int cli_restore(struct app *app, int argc, char **argv);

#endif
