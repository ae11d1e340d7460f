/* Error values and the few I/O helpers everything else uses. */
#include "error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int vfail (struct err *err, const char *kind, int errnum, const char *fmt, va_list ap)
{
  int n = vsnprintf (err->msg, sizeof err->msg, fmt, ap);
  if (n < 0)
    n = 0;
  if ((size_t) n >= sizeof err->msg)
    n = sizeof err->msg - 1;
  if (errnum != 0)
    snprintf (err->msg + n, sizeof err->msg - (size_t) n, ": %s", strerror (errnum));
  /* One line: the status protocol to the TS side is line based. */
  for (char *p = err->msg; *p; p++)
    if (*p == '\n' || *p == '\r')
      *p = ' ';
  err->errnum = errnum;
  snprintf (err->kind, sizeof err->kind, "%s", kind);
  return -1;
}

int fail (struct err *err, int errnum, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  vfail (err, "setup", errnum, fmt, ap);
  va_end (ap);
  return -1;
}

int fail_exec (struct err *err, int errnum, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  vfail (err, "exec", errnum, fmt, ap);
  va_end (ap);
  return -1;
}

int err_prefix (struct err *err, const char *context)
{
  size_t n = strlen (context);
  if (n + 2 >= sizeof err->msg)
    return -1;
  memmove (err->msg + n + 2, err->msg, sizeof err->msg - n - 2);
  memcpy (err->msg, context, n);
  memcpy (err->msg + n, ": ", 2);
  err->msg[sizeof err->msg - 1] = '\0';
  return -1;
}

const char *errno_name (int errnum)
{
  /* The errors a setup step can plausibly hit; others are reported as their number. */
  static const struct
  {
    int num;
    const char *name;
  } names[] = {
    { EPERM, "EPERM" },   { ENOENT, "ENOENT" },   { ESRCH, "ESRCH" },   { EINTR, "EINTR" },
    { EIO, "EIO" },       { E2BIG, "E2BIG" },     { ENOEXEC, "ENOEXEC" }, { EBADF, "EBADF" },
    { ECHILD, "ECHILD" }, { EAGAIN, "EAGAIN" },   { ENOMEM, "ENOMEM" }, { EACCES, "EACCES" },
    { EBUSY, "EBUSY" },   { EEXIST, "EEXIST" },   { EXDEV, "EXDEV" },   { ENODEV, "ENODEV" },
    { ENOTDIR, "ENOTDIR" }, { EISDIR, "EISDIR" }, { EINVAL, "EINVAL" }, { ENFILE, "ENFILE" },
    { EMFILE, "EMFILE" }, { ENOTTY, "ENOTTY" },   { ETXTBSY, "ETXTBSY" }, { ENOSPC, "ENOSPC" },
    { EROFS, "EROFS" },   { ENAMETOOLONG, "ENAMETOOLONG" }, { ELOOP, "ELOOP" },
    { ENOSYS, "ENOSYS" }, { ENOTEMPTY, "ENOTEMPTY" }, { EOPNOTSUPP, "EOPNOTSUPP" },
  };
  static char unknown[16];
  if (errnum == 0)
    return "0";
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (names[i].num == errnum)
      return names[i].name;
  snprintf (unknown, sizeof unknown, "E%d", errnum);
  return unknown;
}

int write_all (int fd, const void *buf, size_t len)
{
  const char *p = buf;
  while (len > 0)
    {
      ssize_t n = write (fd, p, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return -1;
      p += n;
      len -= (size_t) n;
    }
  return 0;
}

ssize_t read_full (int fd, void *buf, size_t len)
{
  char *p = buf;
  size_t got = 0;
  while (got < len)
    {
      ssize_t n = read (fd, p + got, len - got);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return -1;
      if (n == 0)
        break;
      got += (size_t) n;
    }
  return (ssize_t) got;
}

void cleanup_closep (int *fd)
{
  if (*fd >= 0)
    {
      int saved = errno;
      close (*fd);
      errno = saved;
    }
}

void cleanup_freep (void *p)
{
  free (*(void **) p);
}
