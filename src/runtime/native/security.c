/* Capabilities and identity, in runc's finalizeNamespace order: bounding set first (needs
 * CAP_SETPCAP), keep caps across the uid switch, then set exactly the spec's sets. */
#include "security.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "seccomp.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

void cgroup_join_close (const struct spec *spec, int *fds)
{
  for (size_t i = 0; i < spec->ncgroups; i++)
    if (fds[i] >= 0)
      {
        close (fds[i]);
        fds[i] = -1;
      }
}

int cgroup_join_open (const struct spec *spec, int *fds, struct err *err)
{
  for (size_t i = 0; i < spec->ncgroups; i++)
    fds[i] = -1;
  for (size_t i = 0; i < spec->ncgroups; i++)
    {
      fds[i] = open (spec->cgroups[i], O_WRONLY | O_CLOEXEC);
      if (fds[i] < 0)
        {
          int saved = errno;
          cgroup_join_close (spec, fds);
          return fail (err, saved, "open `%s`", spec->cgroups[i]);
        }
    }
  return 0;
}

int cgroup_join_write (const struct spec *spec, const int *fds, struct err *err)
{
  for (size_t i = 0; i < spec->ncgroups; i++)
    if (write_all (fds[i], "0", 1) < 0)
      return fail (err, errno, "write `%s`", spec->cgroups[i]);
  return 0;
}

int join_cgroups_self (const struct spec *spec, struct err *err)
{
  int *fds = calloc (spec->ncgroups + 1, sizeof *fds);
  if (fds == NULL)
    return fail (err, ENOMEM, "calloc `cgroup files`");
  int rc = cgroup_join_open (spec, fds, err);
  if (rc == 0)
    rc = cgroup_join_write (spec, fds, err);
  cgroup_join_close (spec, fds);
  free (fds);
  return rc;
}

/* clone3's argument (linux/sched.h's struct clone_args, up to the cgroup field: CLONE_ARGS_SIZE_VER2). */
struct clone3_args
{
  uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size,
      cgroup;
};

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

int open_cgroup_into (const struct spec *spec, int *fd, struct err *err)
{
  *fd = -1;
  if (spec->cgroup_into == NULL)
    return 0;
  *fd = open (spec->cgroup_into, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (*fd < 0)
    return fail (err, errno, "open `%s`", spec->cgroup_into);
  return 0;
}

pid_t fork_into_cgroup (int cgroup_fd, unsigned long flags, struct err *err)
{
  if (cgroup_fd < 0)
    {
      pid_t pid = (pid_t) syscall (SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, 0);
      return pid < 0 ? fail (err, errno, "clone `process`") : pid;
    }
  struct clone3_args args = { .flags = flags | CLONE_INTO_CGROUP, .exit_signal = SIGCHLD, .cgroup = (uint64_t) cgroup_fd };
  pid_t pid = (pid_t) syscall (SYS_clone3, &args, sizeof args);
  return pid < 0 ? fail (err, errno, "clone3 `CLONE_INTO_CGROUP`") : pid;
}

int apply_rlimits (const struct spec *spec, struct err *err)
{
  for (size_t i = 0; i < spec->nrlimits; i++)
    {
      const struct rlimit_entry *r = &spec->rlimits[i];
      if (setrlimit (r->resource, &r->limit) < 0)
        {
          int saved = errno;
          struct rlimit cur;
          getrlimit (r->resource, &cur);
          if (saved == EPERM && cur.rlim_max != RLIM_INFINITY)
            return fail (err, saved, "setrlimit `%s` (the hard limit here is %llu)", r->name,
                         (unsigned long long) cur.rlim_max);
          return fail (err, saved, "setrlimit `%s`", r->name);
        }
    }
  return 0;
}

static int last_cap (void)
{
  /* PR_CAPBSET_READ fails with EINVAL past the kernel's last capability. */
  int cap = 0;
  while (cap < 63 && prctl (PR_CAPBSET_READ, cap + 1, 0, 0, 0) >= 0)
    cap++;
  return cap;
}

static int set_capabilities (uint64_t caps, struct err *err)
{
  struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
  struct __user_cap_data_struct data[2];
  memset (data, 0, sizeof data);
  data[0].effective = data[0].permitted = (uint32_t) caps;
  data[1].effective = data[1].permitted = (uint32_t) (caps >> 32);
  /* Inheritable stays empty, as Docker since CVE-2022-24769: exec of a file with inheritable caps must
   * not gain them. */
  if (syscall (SYS_capset, &header, data) < 0)
    return fail (err, errno, "capset `%016llx`", (unsigned long long) caps);
  if (prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
    return fail (err, errno, "prctl `PR_CAP_AMBIENT_CLEAR_ALL`");
  return 0;
}

static int change_dir (const char *cwd, struct err *err)
{
  if (chdir (cwd) < 0)
    return fail (err, errno, "chdir `%s`", cwd);
  /* A cwd outside the root reads "(unreachable)/..." (CVE-2024-21626). */
  char buf[PATH_MAX];
  if (getcwd (buf, sizeof buf) == NULL || buf[0] != '/')
    return fail (err, EPERM, "chdir `%s` (outside the container's root)", cwd);
  return 0;
}

int become_container_process (const struct spec *spec, struct err *err)
{
  /* As root first: the directory may be closed to the user but still fine to be in (runc does the same,
   * then retries as the user). */
  bool cwd_done = chdir (spec->cwd) == 0;
  /* First, while every capability is still held (runc does the same without no_new_privs). */
  if (seccomp_install (spec, err) < 0)
    return -1;
  if (prctl (PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
    return fail (err, errno, "prctl `PR_SET_KEEPCAPS`");
  for (int cap = last_cap (); cap >= 0; cap--)
    if (!(spec->caps & (1ULL << cap)) && prctl (PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
      return fail (err, errno, "prctl `PR_CAPBSET_DROP %d`", cap);
  if (setgroups (spec->ngroups, spec->groups) < 0)
    return fail (err, errno, "setgroups `%zu groups`", spec->ngroups);
  if (setresgid (spec->gid, spec->gid, spec->gid) < 0)
    return fail (err, errno, "setresgid `%u`", (unsigned) spec->gid);
  if (setresuid (spec->uid, spec->uid, spec->uid) < 0)
    return fail (err, errno, "setresuid `%u`", (unsigned) spec->uid);
  if (set_capabilities (spec->caps, err) < 0)
    return -1;
  if (prctl (PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
    return fail (err, errno, "prctl `PR_SET_KEEPCAPS 0`");
  if (spec->nnp && prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return fail (err, errno, "prctl `PR_SET_NO_NEW_PRIVS`");
  if (change_dir (spec->cwd, err) < 0)
    return cwd_done ? err_prefix (err, "as the container user") : -1;
  return 0;
}

static const char *env_path (const struct spec *spec)
{
  const char *path = NULL;
  for (size_t i = 0; i < spec->nenv; i++)
    if (strncmp (spec->env[i], "PATH=", 5) == 0)
      path = spec->env[i] + 5;
  return path ? path : DEFAULT_PATH;
}

/* 0 when path is an executable regular file, else the errno execve would give. */
static int check_executable (const char *path)
{
  struct stat st;
  if (stat (path, &st) < 0)
    return errno;
  if (S_ISDIR (st.st_mode))
    return EACCES;
  if (faccessat (AT_FDCWD, path, X_OK, AT_EACCESS) < 0)
    return errno;
  return 0;
}

/* ENOENT without strerror's "No such file or directory": the message already says it. */
static int not_found (struct err *err, const char *name)
{
  fail_exec (err, 0, "exec `%s`: executable file not found in $PATH", name);
  err->errnum = ENOENT;
  return -1;
}

int lookup_executable (const struct spec *spec, char *out, size_t outlen, struct err *err)
{
  if (spec->nargs == 0)
    return fail_exec (err, EINVAL, "exec: no command given");
  const char *name = spec->args[0];
  if (*name == '\0')
    return not_found (err, name);
  if (strchr (name, '/'))
    {
      int e = check_executable (name);
      if (e != 0)
        return fail_exec (err, e, "exec `%s`", name);
      snprintf (out, outlen, "%s", name);
      return 0;
    }
  const char *dirs = env_path (spec);
  int found_errno = ENOENT;
  for (;;)
    {
      size_t n = strcspn (dirs, ":");
      /* An empty PATH element means the working directory, as in execvp. */
      int len = snprintf (out, outlen, "%.*s%s%s", (int) n, n ? dirs : ".", "/", name);
      if (len > 0 && (size_t) len < outlen)
        {
          int e = check_executable (out);
          if (e == 0)
            return 0;
          if (e != ENOENT && e != ENOTDIR)
            found_errno = e;
        }
      if (dirs[n] == '\0')
        break;
      dirs += n + 1;
    }
  if (found_errno == ENOENT)
    return not_found (err, name);
  return fail_exec (err, found_errno, "exec `%s`", name);
}

int exec_process (const struct spec *spec, const char *path, struct err *err)
{
  execve (path, (char *const *) spec->args, (char *const *) spec->env);
  return fail_exec (err, errno, "exec `%s`", path);
}
