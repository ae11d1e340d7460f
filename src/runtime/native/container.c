/* Child side of `run` (runc standard_init_linux.go, crun container_init_setup), in order: join the
 * cgroups, own cgroup namespace, filesystem, pivot, hostname, masks, stdio,
 * rlimits, identity and caps, then hand over to the monitor and exec. */
#include "container.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "init.h"
#include "mounts.h"
#include "pty.h"
#include "security.h"
#include "sync.h"

static int setup_stdio (const struct child_args *a, struct err *err)
{
  if (a->spec->terminal)
    {
      int master, slave;
      if (pty_open (&master, &slave, err) < 0)
        return -1;
      /* Sized before the command starts, so its first look at the terminal is right (docker's ConsoleSize). */
      int rc = pty_set_size (slave, a->spec->rows, a->spec->cols, err);
      if (rc == 0)
        rc = send_fd (a->sync, master, err);
      close (master);
      if (rc == 0)
        rc = pty_become_session (slave, true, err);
      close (slave);
      return rc;
    }
  if (setsid () < 0)
    return fail (err, errno, "setsid");
  cleanup_close int null = open ("/dev/null", O_RDWR | O_CLOEXEC);
  if (null < 0)
    return fail (err, errno, "open `/dev/null`");
  for (int fd = 0; fd < 3; fd++)
    if (dup2 (a->stdio[fd] >= 0 ? a->stdio[fd] : null, fd) < 0)
      return fail (err, errno, "dup2 `stdio` to %d", fd);
  return 0;
}

static int setup (const struct child_args *a, char *path, size_t pathlen, struct err *err)
{
  const struct spec *spec = a->spec;
  /* First, so that everything below is accounted to the container and limited as it will be. */
  if (join_cgroups_self (spec, err) < 0)
    return -1;
  /* Not ptrace-able, no /proc/1/exe for the container until the exec (CVE-2019-5736, CVE-2016-9962). */
  if (prctl (PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
    return fail (err, errno, "prctl `PR_SET_DUMPABLE`");
  /* After the cgroup join, so the namespace's root is the container's cgroup. */
  if (unshare (CLONE_NEWCGROUP) < 0)
    return fail (err, errno, "unshare `cgroup namespace`");
  if (a->netns >= 0 && setns (a->netns, CLONE_NEWNET) < 0)
    return fail (err, errno, "setns `%s`", spec->netns);
  cleanup_close int rootfd = mount_rootfs (spec, err);
  if (rootfd < 0 || populate_rootfs (rootfd, spec, err) < 0 || pivot_to (rootfd, err) < 0)
    return -1;
  if (spec->hostname && sethostname (spec->hostname, strlen (spec->hostname)) < 0)
    return fail (err, errno, "sethostname `%s`", spec->hostname);
  if (finish_rootfs (spec, err) < 0 || setup_stdio (a, err) < 0 || apply_rlimits (spec, err) < 0)
    return -1;
  if (become_container_process (spec, err) < 0)
    return -1;
  if (lookup_executable (spec, path, pathlen, err) < 0)
    return -1;
  /* Nothing of the host reaches the command but its stdio (CVE-2024-21626). */
  if (close_range (3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
    return fail (err, errno, "close_range");
  return 0;
}

void container_child (const struct child_args *a)
{
  struct err err;
  char path[PATH_MAX];
  if (setup (a, path, sizeof path, &err) < 0)
    {
      sync_send_error (a->sync, &err);
      _exit (1);
    }
  /* The container dies with its monitor, so nothing runs on that nobody tracks (runc's
   * ParentDeathSignal). After the user and capability changes, which clear it. */
  if (prctl (PR_SET_PDEATHSIG, SIGKILL) < 0)
    {
      fail (&err, errno, "prctl `PR_SET_PDEATHSIG`");
      sync_send_error (a->sync, &err);
      _exit (1);
    }
  char exec;
  if (sync_send (a->sync, 'R') < 0 || read_full (a->sync, &exec, 1) != 1 || exec != 'X')
    _exit (1);
  if (a->spec->init)
    init_run (a->spec, path, a->sync);
  exec_process (a->spec, path, &err);
  sync_send_error (a->sync, &err);
  _exit (err.errnum == ENOENT ? 127 : 126);
}
