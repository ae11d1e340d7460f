/* A minimal init in the style of tini (sigtimedwait loop) and catatonit: all signals blocked, the
 * asynchronous ones forwarded to the child, SIGCHLD reaps everything. */
#include "init.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "error.h"
#include "security.h"
#include "sync.h"

/* Signals that describe a fault of the receiving process itself: never forwarded. */
static const int synchronous[] = { SIGFPE, SIGILL, SIGSEGV, SIGBUS, SIGABRT, SIGTRAP, SIGSYS, SIGTTIN, SIGTTOU };

void init_run (const struct spec *spec, const char *path, int sync)
{
  sigset_t all, old;
  sigfillset (&all);
  for (size_t i = 0; i < sizeof synchronous / sizeof synchronous[0]; i++)
    sigdelset (&all, synchronous[i]);
  sigprocmask (SIG_BLOCK, &all, &old);
  pid_t child = fork ();
  if (child < 0)
    {
      struct err err;
      fail (&err, errno, "fork `init child`");
      sync_send_error (sync, &err);
      _exit (1);
    }
  if (child == 0)
    {
      struct err err;
      sigprocmask (SIG_SETMASK, &old, NULL);
      /* Its own process group, in the foreground of the terminal if there is one (tini isolate_child). */
      setpgid (0, 0);
      if (isatty (0))
        {
          signal (SIGTTOU, SIG_IGN);
          tcsetpgrp (0, getpid ());
          signal (SIGTTOU, SIG_DFL);
        }
      exec_process (spec, path, &err);
      sync_send_error (sync, &err);
      _exit (err.errnum == ENOENT ? 127 : 126);
    }
  /* The init never execs, so close-on-exec does nothing for it: drop everything the monitor left open
   * (the stdin pipe's other end above all, or the command would never see EOF). */
  close_range (3, ~0U, 0);
  for (;;)
    {
      siginfo_t info;
      int sig = sigwaitinfo (&all, &info);
      if (sig < 0)
        continue;
      if (sig != SIGCHLD)
        {
          kill (child, sig);
          continue;
        }
      int status;
      pid_t pid;
      while ((pid = waitpid (-1, &status, WNOHANG)) > 0)
        if (pid == child)
          _exit (WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status));
    }
}
