/* Filesystem setup, in runc's order (rootfs_linux.go) with crun's pivot (linux.c do_pivot). Every target
 * inside the container is resolved with openat2(RESOLVE_IN_ROOT) and mounted through /proc/self/fd/N,
 * so a symlink in the image can never redirect a mount to the host (CVE-2021-30465). */
#include "mounts.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

struct fdpath fd_path (int fd)
{
  struct fdpath p;
  snprintf (p.s, sizeof p.s, "/proc/self/fd/%d", fd);
  return p;
}

int open_in_root (int rootfd, const char *path, int flags, struct err *err)
{
  struct open_how how = {
    .flags = (unsigned long long) (flags | O_CLOEXEC),
    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
  };
  const char *rel = path;
  while (*rel == '/')
    rel++;
  int fd = (int) syscall (SYS_openat2, rootfd, *rel ? rel : ".", &how, sizeof how);
  if (fd < 0)
    return fail (err, errno, "openat2 `%s`", path);
  return fd;
}

int make_in_root (int rootfd, const char *path, bool directory, struct err *err)
{
  int fd = open_in_root (rootfd, path, O_PATH, err);
  if (fd >= 0 || err->errnum != ENOENT)
    return fd;
  char prefix[PATH_MAX];
  if (strlen (path) >= sizeof prefix)
    return fail (err, ENAMETOOLONG, "mkdir `%s`", path);
  /* Walk prefix by prefix, each resolved from the root again, creating what is missing. */
  const char *p = path;
  int parent = dup (rootfd);
  if (parent < 0)
    return fail (err, errno, "dup `%s`", path);
  for (;;)
    {
      while (*p == '/')
        p++;
      const char *slash = strchr (p, '/');
      size_t n = slash ? (size_t) (slash - p) : strlen (p);
      bool last = slash == NULL || slash[strspn (slash, "/")] == '\0';
      char name[NAME_MAX + 1];
      if (n == 0 || n > NAME_MAX)
        {
          close (parent);
          return fail (err, EINVAL, "mkdir `%s`", path);
        }
      memcpy (name, p, n);
      name[n] = '\0';
      size_t upto = (size_t) (p - path) + n;
      memcpy (prefix, path, upto);
      prefix[upto] = '\0';
      int next = open_in_root (rootfd, prefix, O_PATH, err);
      if (next < 0 && err->errnum == ENOENT)
        {
          int rc;
          if (!last || directory)
            rc = mkdirat (parent, name, 0755);
          else
            {
              rc = openat (parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
              if (rc >= 0)
                rc = close (rc);
            }
          if (rc < 0 && errno != EEXIST)
            {
              int saved = errno;
              close (parent);
              return fail (err, saved, "%s `%s`", !last || directory ? "mkdirat" : "creat", prefix);
            }
          next = open_in_root (rootfd, prefix, O_PATH, err);
        }
      close (parent);
      if (next < 0)
        return -1;
      if (last)
        return next;
      parent = next;
      p += n;
    }
}

/* Overlay with one fsconfig call per lower layer: no option-string page limit (kernel 6.8+). */
static int mount_overlay_fsconfig (const struct spec *spec, struct err *err)
{
  cleanup_close int fs = fsopen ("overlay", FSOPEN_CLOEXEC);
  if (fs < 0)
    return fail (err, errno, "fsopen `overlay`");
  for (size_t i = 0; i < spec->nlowers; i++)
    if (fsconfig (fs, FSCONFIG_SET_STRING, "lowerdir+", spec->lowers[i], 0) < 0)
      return fail (err, errno, "fsconfig `lowerdir+=%s`", spec->lowers[i]);
  if (spec->upper && fsconfig (fs, FSCONFIG_SET_STRING, "upperdir", spec->upper, 0) < 0)
    return fail (err, errno, "fsconfig `upperdir=%s`", spec->upper);
  if (spec->work && fsconfig (fs, FSCONFIG_SET_STRING, "workdir", spec->work, 0) < 0)
    return fail (err, errno, "fsconfig `workdir=%s`", spec->work);
  if (fsconfig (fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
    {
      int saved = errno;
      char log[256] = "";
      /* The kernel explains a refused overlay in the fs context's log ("e overlayfs: ..."). */
      ssize_t n = read (fs, log, sizeof log - 1);
      log[n > 0 ? n : 0] = '\0';
      log[strcspn (log, "\n")] = '\0';
      return fail (err, saved, "fsconfig `overlay on %s%s%s`", spec->merged, *log ? ": " : "", log);
    }
  int mnt = fsmount (fs, FSMOUNT_CLOEXEC, 0);
  if (mnt < 0)
    return fail (err, errno, "fsmount `overlay`");
  if (move_mount (mnt, "", AT_FDCWD, spec->merged, MOVE_MOUNT_F_EMPTY_PATH) < 0)
    {
      int saved = errno;
      close (mnt);
      return fail (err, saved, "move_mount `%s`", spec->merged);
    }
  return mnt;
}

int mount_rootfs (const struct spec *spec, struct err *err)
{
  /* Nothing we mount may propagate back to the host (and pivot_root refuses a shared parent). */
  if (mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
    return fail (err, errno, "mount `/` rprivate");
  if (spec->merged == NULL || spec->nlowers == 0)
    return fail (err, EINVAL, "spec: no root filesystem (lower and merged dirs)");
  if (mount_overlay_fsconfig (spec, err) < 0)
    return -1;
  int root = open (spec->merged, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0)
    return fail (err, errno, "open `%s`", spec->merged);
  return root;
}

static bool needs_remount (const struct mount_entry *m)
{
  return m->readonly || ((m->flags & MS_BIND) && (m->flags & ~(MS_BIND | MS_REC)) != 0);
}

static int mount_entry (int rootfd, const struct mount_entry *m, struct err *err)
{
  bool directory = true;
  if (m->flags & MS_BIND)
    {
      struct stat st;
      if (stat (m->source, &st) < 0)
        return fail (err, errno, "stat `%s`", m->source);
      directory = S_ISDIR (st.st_mode);
    }
  cleanup_close int target = make_in_root (rootfd, m->target, directory, err);
  if (target < 0)
    return -1;
  struct fdpath t = fd_path (target);
  /* A bind takes only MS_BIND|MS_REC; its other flags need the remount below. */
  unsigned long flags = (m->flags & MS_BIND) ? m->flags & (MS_BIND | MS_REC) : m->flags;
  if (mount (m->source, t.s, m->type, flags, *m->data ? m->data : NULL) < 0)
    return fail (err, errno, "mount `%s` on `%s` (%s)", m->source, m->target, m->type);
  if (m->propagation)
    {
      cleanup_close int on = open_in_root (rootfd, m->target, O_PATH, err);
      if (on < 0)
        return -1;
      struct fdpath o = fd_path (on);
      if (mount (NULL, o.s, NULL, m->propagation, NULL) < 0)
        return fail (err, errno, "mount `%s` propagation", m->target);
    }
  return 0;
}

/* A recursive bind's read-only covers the mounts under it too, as docker 25's: `-v /:/host:ro` must not
 * leave /host/proc/sys writable. mount_setattr is kernel 5.12+; on older kernels the submounts stay as
 * they are, as docker leaves them there. */
static int rdonly_submounts (int on, const char *target, struct err *err)
{
  struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
  if (mount_setattr (on, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) == 0 || errno == ENOSYS)
    return 0;
  return fail (err, errno, "mount_setattr `%s` read-only (recursively)", target);
}

/* Per-mount flags only (MS_BIND|MS_REMOUNT), never the superblock's: a sysfs or proc superblock may be
 * shared with the host. */
static int remount_entry (int rootfd, const struct mount_entry *m, struct err *err)
{
  cleanup_close int on = open_in_root (rootfd, m->target, O_PATH, err);
  if (on < 0)
    return -1;
  struct fdpath o = fd_path (on);
  unsigned long keep = m->flags & (MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME
                                   | MS_RELATIME | MS_STRICTATIME);
  if (mount (NULL, o.s, NULL, MS_BIND | MS_REMOUNT | keep | (m->readonly ? MS_RDONLY : 0), NULL) < 0)
    return fail (err, errno, "remount `%s`%s", m->target, m->readonly ? " read-only" : "");
  if (m->readonly && (m->flags & MS_BIND) && (m->flags & MS_REC))
    return rdonly_submounts (on, m->target, err);
  return 0;
}

/* Splits "/a/b/c" into a fd on "/a/b" (created if missing) and "c". */
static int open_parent (int rootfd, const char *path, char name[NAME_MAX + 1], struct err *err)
{
  char parent[PATH_MAX];
  if (snprintf (parent, sizeof parent, "%s", path) >= (int) sizeof parent)
    return fail (err, ENAMETOOLONG, "open `%s`", path);
  char *slash = strrchr (parent, '/');
  if (slash == NULL || slash[1] == '\0' || strlen (slash + 1) > NAME_MAX)
    return fail (err, EINVAL, "open `%s`", path);
  snprintf (name, NAME_MAX + 1, "%s", slash + 1);
  *slash = '\0';
  return make_in_root (rootfd, *parent ? parent : "/", true, err);
}

static int make_device (int rootfd, const struct device_entry *d, struct err *err)
{
  char name[NAME_MAX + 1];
  cleanup_close int dir = open_parent (rootfd, d->path, name, err);
  if (dir < 0)
    return -1;
  if (mknodat (dir, name, d->mode, d->dev) == 0)
    {
      /* Exact mode, whatever the umask. */
      if (fchmodat (dir, name, d->mode & 07777, 0) < 0)
        return fail (err, errno, "fchmodat `%s`", d->path);
      return 0;
    }
  if (errno == EEXIST)
    {
      struct stat st;
      if (fstatat (dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return fail (err, errno, "fstatat `%s`", d->path);
      if ((st.st_mode & S_IFMT) != (d->mode & S_IFMT) || st.st_rdev != d->dev)
        return fail (err, EEXIST, "mknodat `%s` (something else is there)", d->path);
      return 0;
    }
  if (errno != EPERM)
    return fail (err, errno, "mknodat `%s`", d->path);
  /* No mknod (a user namespace): bind the host's node over an empty file. */
  int file = openat (dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (file < 0)
    return fail (err, errno, "creat `%s`", d->path);
  close (file);
  cleanup_close int on = open_in_root (rootfd, d->path, O_PATH | O_NOFOLLOW, err);
  if (on < 0)
    return -1;
  struct fdpath f = fd_path (on);
  if (mount (d->path, f.s, NULL, MS_BIND, NULL) < 0)
    return fail (err, errno, "mount `%s` (bind from the host)", d->path);
  return 0;
}

static int make_symlink (int rootfd, const struct symlink_entry *l, struct err *err)
{
  char name[NAME_MAX + 1];
  cleanup_close int dir = open_parent (rootfd, l->path, name, err);
  if (dir < 0)
    return -1;
  if (symlinkat (l->target, dir, name) < 0 && errno != EEXIST)
    return fail (err, errno, "symlinkat `%s` -> `%s`", l->path, l->target);
  return 0;
}

int populate_rootfs (int rootfd, const struct spec *spec, struct err *err)
{
  for (size_t i = 0; i < spec->nmounts; i++)
    if (mount_entry (rootfd, &spec->mounts[i], err) < 0)
      return -1;
  for (size_t i = 0; i < spec->ndevices; i++)
    if (make_device (rootfd, &spec->devices[i], err) < 0)
      return -1;
  for (size_t i = 0; i < spec->nsymlinks; i++)
    if (make_symlink (rootfd, &spec->symlinks[i], err) < 0)
      return -1;
  if (spec->terminal)
    {
      /* The pty's peer is bound here later (pty.c), as /dev/console of a container with a terminal. */
      cleanup_close int console = make_in_root (rootfd, "/dev/console", false, err);
      if (console < 0)
        return -1;
    }
  if (spec->mkcwd)
    {
      cleanup_close int cwd = make_in_root (rootfd, spec->cwd, true, err);
      if (cwd < 0)
        return -1;
    }
  /* Read-only last, children before parents, so mount points could still be created above. */
  for (size_t i = spec->nmounts; i-- > 0;)
    if (needs_remount (&spec->mounts[i]) && remount_entry (rootfd, &spec->mounts[i], err) < 0)
      return -1;
  return 0;
}

int pivot_to (int rootfd, struct err *err)
{
  cleanup_close int oldroot = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (oldroot < 0)
    return fail (err, errno, "open `/`");
  if (fchdir (rootfd) < 0)
    return fail (err, errno, "fchdir `rootfs`");
  /* pivot_root(".", ".") stacks the old root on top of the new one; detach it from there. */
  if (syscall (SYS_pivot_root, ".", ".") < 0)
    return fail (err, errno, "pivot_root `rootfs`");
  if (fchdir (oldroot) < 0)
    return fail (err, errno, "fchdir `old root`");
  if (mount (NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
    return fail (err, errno, "mount `old root` rslave");
  if (umount2 (".", MNT_DETACH) < 0)
    return fail (err, errno, "umount2 `old root`");
  if (chdir ("/") < 0)
    return fail (err, errno, "chdir `/`");
  return 0;
}

/* /dev/null, checked to be the real 1:3 before anything is bound from it (CVE-2025-31133). */
static int open_dev_null (int rootfd, struct err *err)
{
  int fd = open_in_root (rootfd, "/dev/null", O_PATH | O_NOFOLLOW, err);
  if (fd < 0)
    return -1;
  struct stat st;
  if (fstat (fd, &st) < 0 || !S_ISCHR (st.st_mode) || st.st_rdev != makedev (1, 3))
    {
      close (fd);
      return fail (err, EPERM, "mask `/dev/null` is not the null device");
    }
  return fd;
}

static int mask_path (int rootfd, int nullfd, const char *path, struct err *err)
{
  cleanup_close int fd = open_in_root (rootfd, path, O_PATH | O_NOFOLLOW, err);
  if (fd < 0)
    return err->errnum == ENOENT ? 0 : -1;
  struct stat st;
  if (fstat (fd, &st) < 0)
    return fail (err, errno, "fstat `%s`", path);
  struct fdpath t = fd_path (fd);
  if (S_ISDIR (st.st_mode))
    {
      if (mount ("tmpfs", t.s, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0k,nr_inodes=1") < 0)
        return fail (err, errno, "mount `tmpfs` on `%s` (mask)", path);
      return 0;
    }
  struct fdpath n = fd_path (nullfd);
  if (mount (n.s, t.s, NULL, MS_BIND, NULL) < 0)
    return fail (err, errno, "mount `/dev/null` on `%s` (mask)", path);
  return 0;
}

static int readonly_path (int rootfd, const char *path, struct err *err)
{
  cleanup_close int fd = open_in_root (rootfd, path, O_PATH | O_NOFOLLOW, err);
  if (fd < 0)
    return err->errnum == ENOENT ? 0 : -1;
  struct fdpath t = fd_path (fd);
  if (mount (t.s, t.s, NULL, MS_BIND | MS_REC, NULL) < 0)
    return fail (err, errno, "mount `%s` bind (read-only path)", path);
  /* The fd names what lies under the new mount: reopen to reach the mount itself. */
  cleanup_close int on = open_in_root (rootfd, path, O_PATH | O_NOFOLLOW, err);
  if (on < 0)
    return -1;
  struct statvfs vfs;
  if (fstatvfs (on, &vfs) < 0)
    return fail (err, errno, "statvfs `%s`", path);
  unsigned long keep = (vfs.f_flag & ST_NOSUID ? MS_NOSUID : 0) | (vfs.f_flag & ST_NODEV ? MS_NODEV : 0)
                       | (vfs.f_flag & ST_NOEXEC ? MS_NOEXEC : 0);
  struct fdpath o = fd_path (on);
  if (mount (NULL, o.s, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | keep, NULL) < 0)
    return fail (err, errno, "remount `%s` read-only", path);
  return 0;
}

int finish_rootfs (const struct spec *spec, struct err *err)
{
  cleanup_close int rootfd = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return fail (err, errno, "open `/`");
  if (spec->nmasked > 0)
    {
      cleanup_close int nullfd = open_dev_null (rootfd, err);
      if (nullfd < 0)
        return -1;
      for (size_t i = 0; i < spec->nmasked; i++)
        if (mask_path (rootfd, nullfd, spec->masked[i], err) < 0)
          return -1;
    }
  for (size_t i = 0; i < spec->nreadonly; i++)
    if (readonly_path (rootfd, spec->readonly[i], err) < 0)
      return -1;
  if (spec->rootro && mount (NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0)
    return fail (err, errno, "remount `/` read-only");
  return 0;
}
