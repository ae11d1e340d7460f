/* The monitor loop (conmon's conmon.c + ctr_logging.c duties): one poll over the signalfd, the output
 * fds, the attach socket and its clients. Static buffers only: nothing is allocated once it runs. */
#include "monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

/* After PID 1 is gone, output still in flight is read for at most this long. */
#define DRAIN_MS 2000

void monitor_signals (sigset_t *set)
{
  sigemptyset (set);
  const int sigs[] = { SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };
  for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
    sigaddset (set, sigs[i]);
}

static void emit (struct monitor *m, struct linebuf *b, size_t len)
{
  logfile_write (&m->log, b->stream, b->buf, len);
  memmove (b->buf, b->buf + len, b->len - len);
  b->len -= len;
}

/* Logs every complete line; a line longer than the buffer goes out as a partial record (no "\n"). */
static void split_lines (struct monitor *m, struct linebuf *b, size_t scan_from)
{
  for (;;)
    {
      char *nl = memchr (b->buf + scan_from, '\n', b->len - scan_from);
      if (nl == NULL)
        break;
      emit (m, b, (size_t) (nl - b->buf) + 1);
      scan_from = 0;
    }
  if (b->len == sizeof b->buf)
    emit (m, b, b->len);
}

static void read_output (struct monitor *m, struct linebuf *b)
{
  ssize_t n = read (b->fd, b->buf + b->len, sizeof b->buf - b->len);
  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return;
  if (n <= 0)
    {
      /* EOF (or EIO from a pty whose last slave closed): flush the partial line. */
      if (b->len > 0)
        emit (m, b, b->len);
      close (b->fd);
      b->fd = -1;
      return;
    }
  attach_broadcast (&m->attach, b->frame, b->buf + b->len, (size_t) n);
  size_t from = b->len;
  b->len += (size_t) n;
  split_lines (m, b, from);
}

void monitor_note (struct monitor *m, const char *text)
{
  size_t len = strlen (text);
  logfile_write (&m->log, "stderr", text, len);
  attach_broadcast (&m->attach, FRAME_STDERR, text, len);
}

static void flush_stdin (struct monitor *m)
{
  while (m->pending_off < m->pending_len && m->in >= 0)
    {
      ssize_t n = write (m->in, m->pending + m->pending_off, m->pending_len - m->pending_off);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && errno == EAGAIN)
        return;
      if (n < 0)
        {
          /* The container closed its stdin: drop what it will never read. */
          m->pending_off = m->pending_len;
          break;
        }
      m->pending_off += (size_t) n;
    }
  m->pending_len = m->pending_off = 0;
  if (m->close_in && m->in >= 0 && !m->pty)
    {
      close (m->in);
      m->in = -1;
    }
}

static void client_input (struct monitor *m, int i)
{
  struct attach_event ev = attach_read (&m->attach, i, m->pending, sizeof m->pending);
  switch (ev.kind)
    {
    case EV_STDIN:
      if (m->in < 0)
        break;
      m->pending_len = ev.len;
      m->pending_off = 0;
      flush_stdin (m);
      break;
    case EV_RESIZE:
      if (m->pty && m->in >= 0)
        {
          struct winsize ws = { .ws_row = ev.rows, .ws_col = ev.cols };
          ioctl (m->in, TIOCSWINSZ, &ws);
        }
      break;
    case EV_CLOSE_STDIN:
      m->close_in = true;
      flush_stdin (m);
      break;
    case EV_GONE:
      attach_drop (&m->attach, i);
      break;
    case EV_NONE:
      break;
    }
}

static long now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

#define EXIT_JSON_MAX 256

/* The exit status file's space, taken while the container starts: a disk that fills up meanwhile
 * (the container's own log, say) cannot cost the container its exit code. -1 when it cannot be had. */
static int reserve_exit_status (const struct monitor *m)
{
  char tmp[4096];
  if (m->spec->exit_path == NULL
      || snprintf (tmp, sizeof tmp, "%s.tmp", m->spec->exit_path) >= (int) sizeof tmp)
    return -1;
  int fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd >= 0 && posix_fallocate (fd, 0, EXIT_JSON_MAX) != 0)
    {
      close (fd);
      unlink (tmp);
      return -1;
    }
  return fd;
}

/* exit.json, written to a temp file (the one reserved at the start, if any) then renamed so a reader
 * never sees half of it. */
static void write_exit_status (const struct monitor *m, int status, int reserved)
{
  char json[EXIT_JSON_MAX], time[40], tmp[4096];
  format_time (time);
  int n;
  if (WIFSIGNALED (status))
    {
      int sig = WTERMSIG (status);
      const char *abbrev = sigabbrev_np (sig);
      n = snprintf (json, sizeof json,
                    "{\"exitCode\":%d,\"signal\":%d,\"signalName\":\"SIG%s\",\"finishedAt\":\"%s\"}\n", 128 + sig,
                    sig, abbrev ? abbrev : "UNKNOWN", time);
    }
  else
    n = snprintf (json, sizeof json, "{\"exitCode\":%d,\"finishedAt\":\"%s\"}\n", WEXITSTATUS (status), time);
  if (m->spec->exit_path == NULL)
    return;
  snprintf (tmp, sizeof tmp, "%s.tmp", m->spec->exit_path);
  int fd = reserved >= 0 ? reserved : open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return;
  /* Into the reserved blocks, then cut to size: neither needs free space. */
  int ok = pwrite (fd, json, (size_t) n, 0) == (ssize_t) n && ftruncate (fd, n) == 0 && fsync (fd) == 0;
  close (fd);
  if (ok)
    rename (tmp, m->spec->exit_path);
  else
    unlink (tmp);
}

static int exit_code (int status)
{
  return WIFSIGNALED (status) ? 128 + WTERMSIG (status) : WEXITSTATUS (status);
}

void monitor_loop (struct monitor *m)
{
  enum
  {
    P_SIG,
    P_OUT,
    P_ERR,
    P_LISTEN,
    P_IN,
    P_CLIENT
  };
  struct pollfd fds[P_CLIENT + ATTACH_MAX_CLIENTS];
  int reserved = reserve_exit_status (m);
  bool exited = false;
  int status = 0;
  long deadline = 0;
  for (;;)
    {
      if (exited && ((m->out[0].fd < 0 && m->out[1].fd < 0) || now_ms () >= deadline))
        break;
      bool stdin_busy = m->pending_len > 0;
      fds[P_SIG] = (struct pollfd) { .fd = m->sigfd, .events = POLLIN };
      fds[P_OUT] = (struct pollfd) { .fd = m->out[0].fd, .events = POLLIN };
      fds[P_ERR] = (struct pollfd) { .fd = m->out[1].fd, .events = POLLIN };
      fds[P_LISTEN] = (struct pollfd) { .fd = exited ? -1 : m->attach.listen_fd, .events = POLLIN };
      /* The pty master is polled for input as out[0]; for stdin only its writability matters. */
      fds[P_IN] = (struct pollfd) { .fd = stdin_busy ? m->in : -1, .events = POLLOUT };
      for (int i = 0; i < ATTACH_MAX_CLIENTS; i++)
        fds[P_CLIENT + i] = (struct pollfd) { .fd = stdin_busy ? -1 : m->attach.clients[i].fd, .events = POLLIN };
      int timeout = exited ? (int) (deadline - now_ms ()) : -1;
      if (poll (fds, P_CLIENT + ATTACH_MAX_CLIENTS, timeout < 0 && exited ? 0 : timeout) < 0)
        continue;
      if (fds[P_SIG].revents & POLLIN)
        {
          struct signalfd_siginfo si;
          if (read (m->sigfd, &si, sizeof si) == (ssize_t) sizeof si)
            {
              if (si.ssi_signo != SIGCHLD && !exited)
                kill (m->pid, (int) si.ssi_signo);
              pid_t pid;
              int st;
              while ((pid = waitpid (-1, &st, WNOHANG)) > 0)
                if (pid == m->pid)
                  {
                    exited = true;
                    status = st;
                    deadline = now_ms () + DRAIN_MS;
                  }
            }
        }
      for (int s = 0; s < 2; s++)
        if (fds[P_OUT + s].fd >= 0 && fds[P_OUT + s].revents)
          read_output (m, &m->out[s]);
      if (fds[P_LISTEN].fd >= 0 && (fds[P_LISTEN].revents & POLLIN))
        attach_accept (&m->attach);
      if (fds[P_IN].fd >= 0 && fds[P_IN].revents)
        flush_stdin (m);
      for (int i = 0; i < ATTACH_MAX_CLIENTS; i++)
        if (fds[P_CLIENT + i].fd >= 0 && fds[P_CLIENT + i].revents)
          client_input (m, i);
    }
  for (int s = 0; s < 2; s++)
    if (m->out[s].len > 0)
      emit (m, &m->out[s], m->out[s].len);
  /* Gone before the exit status appears: whoever sees the container exited finds no socket left. */
  attach_unlink (&m->attach);
  write_exit_status (m, status, reserved);
  int code = exit_code (status);
  unsigned char payload[4] = { (unsigned char) (code >> 24), (unsigned char) (code >> 16), (unsigned char) (code >> 8),
                               (unsigned char) code };
  attach_broadcast (&m->attach, FRAME_EXIT, payload, sizeof payload);
  bool attached = attach_attached (&m->attach);
  attach_close (&m->attach);
  /* docker's AutoRemove when nobody attached does it (run -d --rm, a detached or killed CLI): the
   * monitor's work is done, so it becomes the remover. */
  if (m->spec->nonexit > 0 && !attached)
    {
      sigset_t none;
      sigemptyset (&none);
      sigprocmask (SIG_SETMASK, &none, NULL);
      close_range (3, ~0U, CLOSE_RANGE_CLOEXEC);
      execv (m->spec->onexit[0], m->spec->onexit);
    }
  _exit (0);
}
