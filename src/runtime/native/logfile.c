/* The log writer. Output is escaped the way Docker's json-file is (Go's encoding/json: HTML-safe
 * escapes, invalid UTF-8 as U+FFFD) so `docker logs`-style readers see the same text. */
#include "logfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Longest record: a 16 KiB line where every byte becomes a 6-byte escape, plus the fields. */
#define LINE_MAX_BYTES 16384
static char record[LINE_MAX_BYTES * 6 + 256];

void format_time (char out[40])
{
  struct timespec ts;
  struct tm tm;
  clock_gettime (CLOCK_REALTIME, &ts);
  gmtime_r (&ts.tv_sec, &tm);
  int n = snprintf (out, 40, "%04d-%02d-%02dT%02d:%02d:%02d.%09ld", tm.tm_year + 1900, tm.tm_mon + 1,
                    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec);
  while (n > 0 && out[n - 1] == '0')
    n--;
  if (out[n - 1] == '.')
    n--;
  out[n++] = 'Z';
  out[n] = '\0';
}

int logfile_open (struct logfile *log, const char *path, uint64_t max, unsigned files, struct err *err)
{
  log->path = path;
  log->max = max;
  log->files = files ? files : 1;
  log->fd = open (path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (log->fd < 0)
    return fail (err, errno, "open `%s`", path);
  struct stat st;
  log->size = fstat (log->fd, &st) == 0 ? (uint64_t) st.st_size : 0;
  return 0;
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if invalid. */
static size_t utf8_len (const unsigned char *s, size_t n)
{
  size_t len;
  unsigned min;
  unsigned c = s[0];
  if (c < 0x80)
    return 1;
  if (c >= 0xc2 && c <= 0xdf)
    len = 2, min = 0x80, c &= 0x1f;
  else if (c >= 0xe0 && c <= 0xef)
    len = 3, min = 0x800, c &= 0x0f;
  else if (c >= 0xf0 && c <= 0xf4)
    len = 4, min = 0x10000, c &= 0x07;
  else
    return 0;
  if (len > n)
    return 0;
  for (size_t i = 1; i < len; i++)
    {
      if ((s[i] & 0xc0) != 0x80)
        return 0;
      c = (c << 6) | (s[i] & 0x3f);
    }
  if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
    return 0;
  return len;
}

static size_t escape (char *out, const char *text, size_t len)
{
  static const char hex[] = "0123456789abcdef";
  const unsigned char *s = (const unsigned char *) text;
  size_t o = 0;
  for (size_t i = 0; i < len;)
    {
      unsigned c = s[i];
      if (c >= 0x80)
        {
          size_t n = utf8_len (s + i, len - i);
          /* U+2028 and U+2029 are escaped by Go too (they end lines in JavaScript). */
          if (n == 3 && c == 0xe2 && s[i + 1] == 0x80 && (s[i + 2] == 0xa8 || s[i + 2] == 0xa9))
            {
              o += (size_t) sprintf (out + o, "\\u202%c", s[i + 2] == 0xa8 ? '8' : '9');
              i += 3;
            }
          else if (n == 0)
            {
              memcpy (out + o, "\\ufffd", 6);
              o += 6;
              i++;
            }
          else
            {
              memcpy (out + o, s + i, n);
              o += n;
              i += n;
            }
          continue;
        }
      i++;
      if (c == '"' || c == '\\')
        {
          out[o++] = '\\';
          out[o++] = (char) c;
        }
      else if (c == '\n' || c == '\r' || c == '\t')
        {
          out[o++] = '\\';
          out[o++] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
        }
      else if (c < 0x20 || c == '<' || c == '>' || c == '&')
        {
          memcpy (out + o, "\\u00", 4);
          out[o + 4] = hex[c >> 4];
          out[o + 5] = hex[c & 15];
          o += 6;
        }
      else
        out[o++] = (char) c;
    }
  return o;
}

static void rotate (struct logfile *log)
{
  if (log->files <= 1)
    {
      /* No older file to keep: start over in place, as json-file with max-file=1 does. */
      if (ftruncate (log->fd, 0) == 0)
        log->size = 0;
      return;
    }
  char from[4096], to[4096];
  for (unsigned i = log->files - 1; i >= 1; i--)
    {
      snprintf (to, sizeof to, "%s.%u", log->path, i);
      if (i == 1)
        snprintf (from, sizeof from, "%s", log->path);
      else
        snprintf (from, sizeof from, "%s.%u", log->path, i - 1);
      if (rename (from, to) < 0 && errno != ENOENT)
        return;
    }
  int fd = open (log->path, O_WRONLY | O_APPEND | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0)
    return;
  close (log->fd);
  log->fd = fd;
  log->size = 0;
}

void logfile_write (struct logfile *log, const char *stream, const char *text, size_t len)
{
  if (log->fd < 0)
    return;
  if (len > LINE_MAX_BYTES)
    len = LINE_MAX_BYTES;
  char time[40];
  format_time (time);
  size_t o = 0;
  memcpy (record, "{\"log\":\"", 8);
  o = 8;
  o += escape (record + o, text, len);
  o += (size_t) snprintf (record + o, sizeof record - o, "\",\"stream\":\"%s\",\"time\":\"%s\"}\n", stream, time);
  if (log->max > 0 && log->size > 0 && log->size + o > log->max)
    rotate (log);
  /* A full disk loses log lines, never the container. */
  if (write_all (log->fd, record, o) == 0)
    log->size += o;
}
