/* `run`: read the spec, detach (double fork + setsid), become the container's monitor, clone PID 1 into
 * new namespaces, let it join its cgroups and set itself up, report "started" (or the error) to the
 * caller on stdout, then watch it (monitor.c).
 *   status line: "started <pid> <monitor pid>\n" or "error <setup|exec> <ERRNO> <message>\n" */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "container.h"
#include "monitor.h"
#include "security.h"
#include "spec.h"
#include "sync.h"

#define STATUS_FD 1

static struct monitor mon;

static void report_error (const struct err *err)
{
  char line[sizeof err->msg + 64];
  int n = snprintf (line, sizeof line, "error %s %s %s\n", err->kind[0] ? err->kind : "setup",
                    errno_name (err->errnum), err->msg);
  (void) write_all (STATUS_FD, line, (size_t) n);
}

static void report_started (pid_t pid)
{
  char line[64];
  int n = snprintf (line, sizeof line, "started %d %d\n", (int) pid, (int) getpid ());
  (void) write_all (STATUS_FD, line, (size_t) n);
}

/* Nothing of the caller's stays open in the monitor once it has its answer (the caller waits for EOF). */
static void drop_caller_stdio (void)
{
  int null = open ("/dev/null", O_RDWR | O_CLOEXEC);
  if (null >= 0)
    {
      dup2 (null, 1);
      dup2 (null, 2);
      close (null);
    }
}

static pid_t clone_child (const struct spec *spec, struct err *err)
{
  unsigned long flags = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC;
  if (spec->netns == NULL && !spec->hostnet)
    flags |= CLONE_NEWNET;
  cleanup_close int cgroup = -1;
  if (open_cgroup_into (spec, &cgroup, err) < 0)
    return -1;
  /* fork-like (no new stack): the child continues here with a copy of everything. */
  return fork_into_cgroup (cgroup, flags, err);
}

/* A close-on-exec pipe for one of the container's stdio streams. */
static int make_pipe (int fds[2], struct err *err)
{
  if (pipe2 (fds, O_CLOEXEC) < 0)
    return fail (err, errno, "pipe2 `stdio`");
  return 0;
}

/* The sync messages up to the exec (sync.h); -1 with err when PID 1 cannot run. */
static int handshake (const struct spec *spec, int s, pid_t pid, struct err *err)
{
  int master = -1, type;
  while ((type = sync_recv (s, &master, err)) == 'F')
    {
      mon.pty = true;
      mon.in = master;
      mon.out[0].fd = fcntl (master, F_DUPFD_CLOEXEC, 0);
    }
  if (type == 'E')
    return -1;
  if (type != 'R')
    return fail (err, 0, "the container process exited during setup");
  if (spec->wait_attach > 0 && mon.attach.listen_fd >= 0)
    {
      /* The caller attaches before the command runs, so it sees all of its output (docker run -a). */
      report_started (pid);
      struct pollfd p = { .fd = mon.attach.listen_fd, .events = POLLIN };
      if (poll (&p, 1, (int) spec->wait_attach * 1000) > 0)
        attach_accept (&mon.attach);
      if (sync_send (s, 'X') == 0 && sync_recv (s, NULL, err) == 'E')
        {
          /* Too late for an error status: the caller has its answer. Tell it where it looks. */
          char line[sizeof err->msg + 9];
          snprintf (line, sizeof line, "error: %s\n", err->msg);
          monitor_note (&mon, line);
        }
      return 0;
    }
  if (sync_send (s, 'X') < 0)
    return fail (err, errno, "write `sync`");
  if (sync_recv (s, NULL, err) == 'E')
    return -1;
  report_started (pid);
  return 0;
}

/* Everything from the clone to the exec; returns PID 1's pid or -1 with err (and PID 1 reaped). */
static pid_t start_container (struct spec *spec, struct err *err)
{
  int out[2] = { -1, -1 }, errp[2] = { -1, -1 }, in[2] = { -1, -1 }, sync[2];
  if (!spec->terminal
      && (make_pipe (out, err) < 0 || make_pipe (errp, err) < 0 || (spec->open_stdin && make_pipe (in, err) < 0)))
    return -1;
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sync) < 0)
    return fail (err, errno, "socketpair `sync`");
  cleanup_close int netns = -1;
  if (spec->netns && (netns = open (spec->netns, O_RDONLY | O_CLOEXEC)) < 0)
    return fail (err, errno, "open `%s`", spec->netns);
  pid_t pid = clone_child (spec, err);
  if (pid < 0)
    return -1;
  if (pid == 0)
    {
      sigset_t none;
      sigemptyset (&none);
      sigprocmask (SIG_SETMASK, &none, NULL);
      close (sync[0]);
      struct child_args args = { .spec = spec, .sync = sync[1], .stdio = { in[0], out[1], errp[1] }, .netns = netns };
      container_child (&args);
    }
  close (sync[1]);
  int child_ends[] = { in[0], out[1], errp[1] };
  for (size_t i = 0; i < 3; i++)
    if (child_ends[i] >= 0)
      close (child_ends[i]);
  mon.pid = pid;
  mon.in = in[1];
  mon.out[0] = (struct linebuf) { .fd = out[0], .stream = "stdout", .frame = FRAME_STDOUT };
  mon.out[1] = (struct linebuf) { .fd = errp[0], .stream = "stderr", .frame = FRAME_STDERR };

  if (handshake (spec, sync[0], pid, err) < 0)
    {
      close (sync[0]);
      kill (pid, SIGKILL);
      waitpid (pid, NULL, 0);
      return -1;
    }
  close (sync[0]);
  return pid;
}

static void monitor_main (struct spec *spec)
{
  struct err err;
  memset (&err, 0, sizeof err);
  int null = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null >= 0)
    {
      dup2 (null, 0);
      close (null);
    }
  mon.spec = spec;
  mon.attach.listen_fd = -1;
  mon.log.fd = -1;
  prctl (PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  prctl (PR_SET_DUMPABLE, 0, 0, 0, 0);
  sigset_t set;
  monitor_signals (&set);
  sigprocmask (SIG_BLOCK, &set, NULL);
  mon.sigfd = signalfd (-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  if (mon.sigfd < 0)
    fail (&err, errno, "signalfd");
  else if (spec->log_path && logfile_open (&mon.log, spec->log_path, spec->log_max, spec->log_files, &err) < 0)
    ;
  else if (spec->socket_path && attach_listen (&mon.attach, spec->socket_path, &err) < 0)
    ;
  else if (start_container (spec, &err) >= 0)
    {
      signal (SIGPIPE, SIG_IGN);
      for (int s = 0; s < 2; s++)
        if (mon.out[s].fd >= 0)
          fcntl (mon.out[s].fd, F_SETFL, O_NONBLOCK);
      if (mon.in >= 0)
        fcntl (mon.in, F_SETFL, O_NONBLOCK);
      drop_caller_stdio ();
      monitor_loop (&mon);
    }
  report_error (&err);
  attach_close (&mon.attach);
  _exit (1);
}

int run_main (int argc, char **argv)
{
  struct spec spec;
  struct err err;
  int spec_fd = argc > 2 ? atoi (argv[2]) : 0;
  if (spec_read (spec_fd, &spec, &err) < 0)
    {
      report_error (&err);
      return 1;
    }
  pid_t first = fork ();
  if (first < 0)
    {
      fail (&err, errno, "fork `monitor`");
      report_error (&err);
      return 1;
    }
  if (first > 0)
    {
      int status;
      waitpid (first, &status, 0);
      return WIFEXITED (status) ? WEXITSTATUS (status) : 1;
    }
  /* A new session, then a second fork so the monitor is not a session leader and can never acquire a
   * controlling terminal; its parent exits at once so it is reparented (to a subreaper or init). */
  setsid ();
  pid_t second = fork ();
  if (second < 0)
    {
      fail (&err, errno, "fork `monitor`");
      report_error (&err);
      _exit (1);
    }
  if (second > 0)
    _exit (0);
  monitor_main (&spec);
  return 1;
}
