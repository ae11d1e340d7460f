/* Docker's json-file log: one {"log","stream","time"} object per line, size-capped rotation to
 * <path>.1 … <path>.<files-1>. */
#ifndef TSC_LOGFILE_H
#define TSC_LOGFILE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct logfile
{
  int fd;
  const char *path;
  uint64_t size, max; /* max 0 = no cap */
  unsigned files;
};

int logfile_open (struct logfile *log, const char *path, uint64_t max, unsigned files, struct err *err);

/* Appends one record in a single write; text includes its "\n" unless it is a partial line. */
void logfile_write (struct logfile *log, const char *stream, const char *text, size_t len);

/* RFC 3339 with nanoseconds, UTC, trailing zeros trimmed as Go's RFC3339Nano does. */
void format_time (char out[40]);

#endif
