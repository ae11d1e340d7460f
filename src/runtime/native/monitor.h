/* The monitor: after the container started, the helper stays its parent (conmon's job): output to the
 * log and to attached clients, stdin and pty size from clients, stop signals forwarded to PID 1, and
 * the exit status file once PID 1 is gone. */
#ifndef TSC_MONITOR_H
#define TSC_MONITOR_H

#include <stdbool.h>
#include <sys/types.h>

#include "attach.h"
#include "logfile.h"
#include "spec.h"

#define LINE_BUF 16384

struct linebuf
{
  int fd;
  const char *stream;
  unsigned char frame;
  size_t len;
  char buf[LINE_BUF];
};

struct monitor
{
  const struct spec *spec;
  pid_t pid;
  int sigfd;
  int in; /* the container's stdin: a pipe, the pty master, or -1 */
  bool pty;
  struct linebuf out[2];
  struct logfile log;
  struct attach attach;
  char pending[4096]; /* stdin bytes the container has not taken yet */
  size_t pending_len, pending_off;
  bool close_in;
};

/* Signals the monitor handles through its signalfd; blocked before the clone. */
void monitor_signals (sigset_t *set);

/* Runs until PID 1 has exited and its output is drained, writes the exit status, exits. */
__attribute__ ((noreturn)) void monitor_loop (struct monitor *m);

/* A line on the container's stderr stream from the monitor itself (an exec failure after attach). */
void monitor_note (struct monitor *m, const char *text);

#endif
