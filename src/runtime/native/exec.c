/* `exec`: join a running container (runc setns_init_linux.go): its namespaces through /proc/<pid>/ns
 * files, fork into its pid namespace and cgroups, become the process the spec describes, exec. The
 * caller's stdio are the process's own; with a terminal, a pty from the container's devpts is proxied
 * to them. The helper's exit code is the process's. The helper itself stays out of the container's
 * cgroups: a killed container's cgroup then holds no helper waiting to be reaped. With detach, the
 * helper leaves its caller first and stays as the process's parent, reaping it the moment it ends (an
 * orphan would go to the host's init, since the helper is outside the container's pid namespace).
 *   usage: tscompose-helper exec <spec fd> <status fd>
 *   status line: "started <pid>\n" or "error <setup|exec> <ERRNO> <message>\n" */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "pty.h"
#include "security.h"
#include "spec.h"
#include "sync.h"

#define EXIT_SETUP 125

static const struct
{
  const char *name;
  int type;
} namespaces[] = {
  { "cgroup", CLONE_NEWCGROUP }, { "ipc", CLONE_NEWIPC }, { "uts", CLONE_NEWUTS },
  { "net", CLONE_NEWNET },       { "pid", CLONE_NEWPID }, { "mnt", CLONE_NEWNS },
};
#define NNS (sizeof namespaces / sizeof namespaces[0])

static int status_fd = -1;
static struct termios saved_tty;
static bool tty_raw;

static void report (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));
static void report (const char *fmt, ...)
{
  char line[1200];
  va_list ap;
  va_start (ap, fmt);
  int n = vsnprintf (line, sizeof line, fmt, ap);
  va_end (ap);
  if (status_fd >= 0 && n > 0)
    (void) write_all (status_fd, line, (size_t) n < sizeof line ? (size_t) n : sizeof line - 1);
}

static void report_error (const struct err *err)
{
  report ("error %s %s %s\n", err->kind[0] ? err->kind : "setup", errno_name (err->errnum), err->msg);
}

static void restore_tty (void)
{
  if (tty_raw)
    tcsetattr (0, TCSADRAIN, &saved_tty);
  tty_raw = false;
}

static int join_container (const struct spec *spec, int *cgroup_files, struct err *err)
{
  int fds[NNS];
  char path[64];
  for (size_t i = 0; i < NNS; i++)
    {
      snprintf (path, sizeof path, "/proc/%d/ns/%s", (int) spec->pid, namespaces[i].name);
      fds[i] = open (path, O_RDONLY | O_CLOEXEC);
      if (fds[i] < 0)
        {
          fail (err, errno, "open `%s`", path);
          while (i-- > 0)
            close (fds[i]);
          return -1;
        }
    }
  /* Opened here, written by the child: the paths are the host's, but only the child joins. */
  int rc = cgroup_join_open (spec, cgroup_files, err);
  /* The mount namespace last: the /proc paths above were the host's. */
  for (size_t i = 0; i < NNS && rc == 0; i++)
    if (setns (fds[i], namespaces[i].type) < 0)
      rc = fail (err, errno, "setns `%s`", namespaces[i].name);
  for (size_t i = 0; i < NNS; i++)
    close (fds[i]);
  return rc;
}

static __attribute__ ((noreturn)) void child (const struct spec *spec, int sync, int *cgroup_files)
{
  struct err err;
  char path[4096];
  memset (&err, 0, sizeof err);
  int rc = cgroup_join_write (spec, cgroup_files, &err);
  cgroup_join_close (spec, cgroup_files);
  if (rc == 0 && spec->terminal)
    {
      int master, slave;
      rc = pty_open (&master, &slave, &err);
      if (rc == 0)
        {
          rc = send_fd (sync, master, &err);
          close (master);
          if (rc == 0)
            rc = pty_become_session (slave, false, &err);
          close (slave);
        }
    }
  else if (rc == 0 && spec->detach)
    {
      int null = open ("/dev/null", O_RDWR | O_CLOEXEC);
      if (null < 0 || setsid () < 0)
        rc = fail (&err, errno, "open `/dev/null`");
      for (int fd = 0; fd < 3 && rc == 0; fd++)
        if (dup2 (null, fd) < 0)
          rc = fail (&err, errno, "dup2 `/dev/null`");
    }
  if (rc == 0)
    rc = become_container_process (spec, &err);
  if (rc == 0)
    rc = lookup_executable (spec, path, sizeof path, &err);
  if (rc == 0 && close_range (3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
    rc = fail (&err, errno, "close_range");
  if (rc == 0)
    exec_process (spec, path, &err);
  sync_send_error (sync, &err);
  _exit (strcmp (err.kind, "exec") == 0 ? (err.errnum == ENOENT ? 127 : 126) : EXIT_SETUP);
}

/* detach: the caller waits for our exit and the status line only, so the process we run outlives it
 * with us as its parent, in a session of our own. */
static int leave_caller (struct err *err)
{
  pid_t pid = fork ();
  if (pid < 0)
    return fail (err, errno, "fork `exec -d`");
  if (pid > 0)
    _exit (0);
  if (setsid () < 0)
    return fail (err, errno, "setsid `exec -d`");
  return 0;
}

/* Our stdio are the caller's: let them go, once we stay on without it. */
static void release_caller_stdio (void)
{
  int null = open ("/dev/null", O_RDWR | O_CLOEXEC);
  if (null < 0)
    return;
  for (int fd = 0; fd < 3; fd++)
    dup2 (null, fd);
  if (null > 2)
    close (null);
}

/* detach, once the process runs: let the caller's stdio go, then wait for it. */
static int reap_detached (pid_t pid)
{
  release_caller_stdio ();
  int st;
  while (waitpid (pid, &st, 0) < 0 && errno == EINTR)
    ;
  return 0;
}

static void copy_winsize (int master)
{
  struct winsize ws;
  if (ioctl (0, TIOCGWINSZ, &ws) == 0 || ioctl (1, TIOCGWINSZ, &ws) == 0)
    ioctl (master, TIOCSWINSZ, &ws);
}

static bool pump (int from, int to)
{
  char buf[8192];
  ssize_t n = read (from, buf, sizeof buf);
  if (n < 0 && (errno == EINTR || errno == EAGAIN))
    return true;
  if (n <= 0)
    return false;
  return write_all (to, buf, (size_t) n) == 0;
}

static long now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Our stdin to the pty, watching for the detach keys: a begun sequence is held back, and passed on
 * whole if it does not go on. Returns false at EOF; sets *detach when the keys were typed (what follows
 * them in the same read is dropped, as docker's escape proxy does). */
static bool forward_stdin (const struct spec *spec, int master, size_t *matched, bool *detach)
{
  char in[8192], out[8192 + sizeof spec->detach_keys];
  ssize_t n = read (0, in, sizeof in);
  if (n < 0 && (errno == EINTR || errno == EAGAIN))
    return true;
  if (n <= 0)
    return false;
  size_t o = 0;
  for (ssize_t i = 0; i < n && !*detach; i++)
    {
      unsigned char c = (unsigned char) in[i];
      if (*matched < spec->ndetach_keys && c == spec->detach_keys[*matched])
        {
          *detach = ++*matched == spec->ndetach_keys;
          continue;
        }
      memcpy (out + o, spec->detach_keys, *matched);
      o += *matched;
      *matched = 0;
      if (spec->ndetach_keys > 0 && c == spec->detach_keys[0])
        *detach = ++*matched == spec->ndetach_keys;
      else
        out[o++] = (char) c;
    }
  return write_all (master, out, o) == 0;
}

/* The detach keys were typed: the caller gets "detached" and goes; we stay, the process's parent, with
 * its pty drained into /dev/null until it ends, in a session of our own so that the caller's terminal
 * going away (its SIGHUP) reaches neither us nor the process. */
static void detach_caller (void)
{
  restore_tty ();
  setsid ();
  report ("detached\n");
  if (status_fd >= 0)
    close (status_fd);
  status_fd = -1;
  release_caller_stdio ();
}

/* Forwards signals, proxies the pty, returns the child's exit code. */
static int supervise (const struct spec *spec, pid_t pid, int sigfd, int master)
{
  size_t matched = 0;
  bool detached = false;
  bool in_open = master >= 0, exited = false;
  int status = 0;
  long deadline = 0;
  if (master >= 0)
    {
      copy_winsize (master);
      if (isatty (0) && tcgetattr (0, &saved_tty) == 0)
        {
          struct termios raw = saved_tty;
          cfmakeraw (&raw);
          tty_raw = tcsetattr (0, TCSADRAIN, &raw) == 0;
        }
    }
  while (!exited || (master >= 0 && now_ms () < deadline))
    {
      struct pollfd fds[3] = {
        { .fd = sigfd, .events = POLLIN },
        { .fd = master, .events = POLLIN },
        { .fd = in_open ? 0 : -1, .events = POLLIN },
      };
      if (poll (fds, 3, exited ? (int) (deadline - now_ms ()) : -1) < 0)
        continue;
      if (fds[0].revents & POLLIN)
        {
          struct signalfd_siginfo si;
          if (read (sigfd, &si, sizeof si) == (ssize_t) sizeof si)
            {
              if (si.ssi_signo == SIGWINCH && master >= 0)
                copy_winsize (master);
              else if (si.ssi_signo != SIGCHLD && si.ssi_signo != SIGWINCH && !exited && !detached)
                kill (pid, (int) si.ssi_signo);
              int st;
              if (!exited && waitpid (pid, &st, WNOHANG) == pid)
                {
                  exited = true;
                  status = st;
                  deadline = now_ms () + 1000;
                }
            }
        }
      if (master >= 0 && fds[1].revents && !pump (master, 1))
        {
          /* EIO: the last holder of the pty's peer is gone. */
          close (master);
          master = -1;
        }
      if (in_open && fds[2].revents && !forward_stdin (spec, master, &matched, &detached))
        in_open = false;
      if (detached && in_open)
        {
          detach_caller ();
          in_open = false;
        }
    }
  restore_tty ();
  return WIFSIGNALED (status) ? 128 + WTERMSIG (status) : WEXITSTATUS (status);
}

int exec_main (int argc, char **argv)
{
  struct spec spec;
  struct err err;
  memset (&err, 0, sizeof err);
  if (argc < 4)
    {
      fprintf (stderr, "usage: tscompose-helper exec <spec fd> <status fd>\n");
      return EXIT_SETUP;
    }
  status_fd = atoi (argv[3]);
  fcntl (status_fd, F_SETFD, FD_CLOEXEC);
  int spec_fd = atoi (argv[2]);
  if (spec_read (spec_fd, &spec, &err) < 0)
    {
      report_error (&err);
      return EXIT_SETUP;
    }
  close (spec_fd);
  if (spec.pid == 0)
    {
      fail (&err, 0, "spec: exec needs the container's pid");
      report_error (&err);
      return EXIT_SETUP;
    }
  if (spec.detach && leave_caller (&err) < 0)
    {
      report_error (&err);
      return EXIT_SETUP;
    }
  /* Nothing in the container may ptrace us or open /proc/<pid>/exe while we are in it (CVE-2019-5736). */
  prctl (PR_SET_DUMPABLE, 0, 0, 0, 0);
  int cgroup = -1;
  int *cgroup_files = calloc (spec.ncgroups + 1, sizeof *cgroup_files);
  if (cgroup_files == NULL)
    fail (&err, ENOMEM, "calloc `cgroup files`");
  if (cgroup_files == NULL || open_cgroup_into (&spec, &cgroup, &err) < 0
      || join_container (&spec, cgroup_files, &err) < 0)
    {
      report_error (&err);
      return EXIT_SETUP;
    }
  sigset_t set;
  sigemptyset (&set);
  const int sigs[] = { SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };
  for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
    sigaddset (&set, sigs[i]);
  sigset_t old;
  sigprocmask (SIG_BLOCK, &set, &old);
  int sigfd = signalfd (-1, &set, SFD_CLOEXEC);
  int sync[2];
  if (sigfd < 0 || socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sync) < 0)
    {
      fail (&err, errno, "signalfd/socketpair `exec`");
      report_error (&err);
      return EXIT_SETUP;
    }
  pid_t pid = fork_into_cgroup (cgroup, 0, &err);
  if (cgroup >= 0)
    close (cgroup);
  if (pid < 0)
    {
      report_error (&err);
      return EXIT_SETUP;
    }
  if (pid == 0)
    {
      sigprocmask (SIG_SETMASK, &old, NULL);
      close (sync[0]);
      child (&spec, sync[1], cgroup_files);
    }
  cgroup_join_close (&spec, cgroup_files);
  free (cgroup_files);
  close (sync[1]);
  int master = -1, type;
  while ((type = sync_recv (sync[0], &master, &err)) == 'F')
    ;
  close (sync[0]);
  if (type == 'E')
    {
      if (master >= 0)
        close (master);
      int st;
      waitpid (pid, &st, 0);
      report_error (&err);
      return WIFEXITED (st) ? WEXITSTATUS (st) : EXIT_SETUP;
    }
  report ("started %d\n", (int) pid);
  /* Kept for a "detached" line when detach keys can be typed. */
  if (master < 0 || spec.ndetach_keys == 0)
    {
      close (status_fd);
      status_fd = -1;
    }
  if (spec.detach)
    return reap_detached (pid);
  return supervise (&spec, pid, sigfd, master);
}
