/* Errors as values, crun style: functions that can fail take `struct err *` and return -1 after filling
 * it with "syscall `object`: strerror". No allocation, so the child and the monitor can report anywhere. */
#ifndef TSC_ERROR_H
#define TSC_ERROR_H

#include <stdarg.h>
#include <stddef.h>
#include <sys/types.h>

struct err
{
  int errnum;      /* errno of the failure, 0 when not from a syscall */
  char kind[8];    /* "setup" or "exec": tells the TS side which TscError code to use */
  char msg[1024];  /* single line */
};

/* Fills err with "<fmt...>: strerror(errnum)" (just <fmt...> when errnum is 0); returns -1. */
int fail (struct err *err, int errnum, const char *fmt, ...) __attribute__ ((format (printf, 3, 4)));

/* Marks err as an exec failure ("executable file not found" and the like) instead of a setup one. */
int fail_exec (struct err *err, int errnum, const char *fmt, ...) __attribute__ ((format (printf, 3, 4)));

/* Adds "context: " in front of an existing message. */
int err_prefix (struct err *err, const char *context);

/* errno's symbolic name ("ENOENT"), for the TS side to map exit codes without parsing text. */
const char *errno_name (int errnum);

/* write/read everything, retrying on EINTR; -1 with errno on failure, read_full returns bytes read. */
int write_all (int fd, const void *buf, size_t len);
ssize_t read_full (int fd, void *buf, size_t len);

void cleanup_closep (int *fd);
void cleanup_freep (void *p);
#define cleanup_close __attribute__ ((cleanup (cleanup_closep)))
#define cleanup_free __attribute__ ((cleanup (cleanup_freep)))

#endif
