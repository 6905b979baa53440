/* log.c - one line per record to stderr ("2026-11-29T01:02:03Z INFO message"), written with one write(). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "date.h"
#include "log.h"

/* At most PIPE_BUF on Linux, so one write to a pipe is never interleaved with another. */
#define LOG_LINE_MAX 4096

/*
 * Format the whole record into one stack buffer, then hand it to the
 * kernel in a single write() so lines from several threads never mix.
 * Control characters in the message (a newline inside user input, say)
 * become spaces, so one record is always one line and cannot forge
 * another. Long messages are cut at a character boundary.
 */
static void log_write(const char *level, const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX];
	size_t n, start, len;
	int k;

	ts_now(line);
	n = strlen(line);
	k = snprintf(line + n, sizeof line - n, " %s ", level);
	if (k < 0)
		return;
	n += (size_t)k;
	start = n;
	k = vsnprintf(line + n, sizeof line - n - 1, fmt, ap);	/* keep a byte for '\n' */
	if (k < 0) {
		line[start] = '\0';
		k = 0;
	}
	len = strlen(line + start);
	if ((size_t)k > len) {
		/* truncated: drop a partial UTF-8 sequence at the end */
		size_t end = start + len, i = end, need;
		unsigned char c;

		while (i > start && end - i < 3 && ((unsigned char)line[i - 1] & 0xC0) == 0x80)
			i--;
		if (i > start && (c = (unsigned char)line[i - 1]) >= 0xC0) {
			need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
			if (end - (i - 1) < need)
				end = i - 1;
		}
		len = end - start;
	}
	for (size_t i = start; i < start + len; i++)
		if ((unsigned char)line[i] < 0x20 || line[i] == 0x7F)
			line[i] = ' ';
	n = start + len;
	line[n++] = '\n';

	for (size_t off = 0; off < n;) {
		ssize_t w = write(STDERR_FILENO, line + off, n - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		off += (size_t)w;
	}
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_write("INFO", fmt, ap);
	va_end(ap);
}

void log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_write("WARN", fmt, ap);
	va_end(ap);
}

void log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_write("ERROR", fmt, ap);
	va_end(ap);
}
