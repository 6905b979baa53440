/* fuzz_sheet.c - fuzz target: the spreadsheet reader on raw file bytes (CSV in UTF-8 or GB18030, xlsx, anything renamed). */
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_sheet.h"

/* The input becomes a file (an anonymous memfd, opened by its /proc path, as an upload would be). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	int fd = memfd_create("fuzz-sheet", MFD_CLOEXEC);

	FUZZ_CHECK(fd >= 0);
	FUZZ_CHECK(size == 0 || write(fd, data, size) == (ssize_t)size);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	fuzz_sheet_read(path);
	close(fd);
	return 0;
}
