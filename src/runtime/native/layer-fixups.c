#include "layer-fixups.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#define OPAQUE_XATTR "trusted.overlay.opaque"

static int report(const char *syscall, const char *path, int err)
{
  fprintf(stderr, "layer-fixups: %s `%s`: %s\n", syscall, path, strerror(err));
  return -1;
}

static int valid_component(const char *component, size_t length)
{
  if (length == 0)
    return 0;
  if (length == 1 && component[0] == '.')
    return 0;
  return !(length == 2 && component[0] == '.' && component[1] == '.');
}

/*
 * Opens the directory that holds `rel`, walking from `root` one component at a time with
 * O_PATH|O_NOFOLLOW|O_DIRECTORY and checking each is a real directory, so no symlink is ever followed.
 * `copy` receives the split path; *base points at its last component. Returns a dirfd or -1 (reported).
 */
static int open_parent(int root, const char *rel, char *copy, size_t cap, const char **base)
{
  size_t length = strlen(rel);
  if (length == 0 || length >= cap)
    return report("resolve", rel, length == 0 ? EINVAL : ENAMETOOLONG);
  memcpy(copy, rel, length + 1);
  int dir = fcntl(root, F_DUPFD_CLOEXEC, 3);
  if (dir < 0)
    return report("fcntl", rel, errno);
  char *component = copy;
  for (;;) {
    char *slash = strchr(component, '/');
    size_t size = slash ? (size_t)(slash - component) : strlen(component);
    if (!valid_component(component, size)) {
      close(dir);
      return report("resolve", rel, EINVAL);
    }
    if (slash == NULL) {
      *base = component;
      return dir;
    }
    *slash = '\0';
    int next = openat(dir, component, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    int err = errno;
    close(dir);
    if (next < 0)
      return report("openat", rel, err);
    struct stat st;
    if (fstat(next, &st) < 0) {
      err = errno;
      close(next);
      return report("fstat", rel, err);
    }
    if (!S_ISDIR(st.st_mode)) {
      close(next);
      return report("openat", rel, ENOTDIR);
    }
    dir = next;
    component = slash + 1;
  }
}

static int whiteout(int root, const char *rel)
{
  char copy[PATH_MAX];
  const char *base;
  int dir = open_parent(root, rel, copy, sizeof(copy), &base);
  if (dir < 0)
    return -1;
  int rc = mknodat(dir, base, S_IFCHR | 0000, makedev(0, 0));
  int err = errno;
  close(dir);
  return rc < 0 ? report("mknodat", rel, err) : 0;
}

static int opaque(int root, const char *rel)
{
  int fd;
  if (strcmp(rel, ".") == 0) {
    fd = openat(root, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  } else {
    char copy[PATH_MAX];
    const char *base;
    int dir = open_parent(root, rel, copy, sizeof(copy), &base);
    if (dir < 0)
      return -1;
    fd = openat(dir, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    int err = errno;
    close(dir);
    errno = err;
  }
  if (fd < 0)
    return report("openat", rel, errno);
  int rc = fsetxattr(fd, OPAQUE_XATTR, "y", 1, 0);
  int err = errno;
  close(fd);
  return rc < 0 ? report("fsetxattr " OPAQUE_XATTR, rel, err) : 0;
}

static int node(int root, const char *args)
{
  char type;
  unsigned int mode, major, minor, uid, gid;
  long long mtime;
  int consumed = -1;
  if (sscanf(args, "%c %o %u %u %u %u %lld %n", &type, &mode, &major, &minor, &uid, &gid, &mtime,
       &consumed) != 7 ||
      consumed < 0)
    return report("parse", args, EINVAL);
  const char *rel = args + consumed;
  mode_t kind = type == 'c' ? S_IFCHR : type == 'b' ? S_IFBLK : type == 'p' ? S_IFIFO : 0;
  if (kind == 0)
    return report("parse", args, EINVAL);
  char copy[PATH_MAX];
  const char *base;
  int dir = open_parent(root, rel, copy, sizeof(copy), &base);
  if (dir < 0)
    return -1;
  const char *failed = NULL;
  struct timespec times[2] = { { .tv_sec = mtime, .tv_nsec = 0 }, { .tv_sec = mtime, .tv_nsec = 0 } };
  if (mknodat(dir, base, kind | (mode & 07777), makedev(major, minor)) < 0)
    failed = "mknodat";
  else if (fchownat(dir, base, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
    failed = "fchownat";
  else if (fchmodat(dir, base, mode & 07777, 0) < 0)
    failed = "fchmodat";
  else if (utimensat(dir, base, times, AT_SYMLINK_NOFOLLOW) < 0)
    failed = "utimensat";
  int err = errno;
  close(dir);
  return failed ? report(failed, rel, err) : 0;
}

int layer_fixups_main(int argc, char **argv)
{
  if (argc != 3) {
    fprintf(stderr, "usage: tscompose-helper layer-fixups <layerdir> < operations\n");
    return 2;
  }
  int root = open(argv[2], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (root < 0) {
    report("open", argv[2], errno);
    return 1;
  }
  /* Device modes come from the archive as they are, with no umask in between. */
  umask(0);
  char *line = NULL;
  size_t cap = 0;
  ssize_t length;
  int rc = 0;
  while (rc == 0 && (length = getline(&line, &cap, stdin)) >= 0) {
    if (length > 0 && line[length - 1] == '\n')
      line[--length] = '\0';
    if (length == 0)
      continue;
    if (length < 3 || line[1] != ' ') {
      rc = report("parse", line, EINVAL);
      break;
    }
    const char *arg = line + 2;
    switch (line[0]) {
    case 'w':
      rc = whiteout(root, arg);
      break;
    case 'o':
      rc = opaque(root, arg);
      break;
    case 'n':
      rc = node(root, arg);
      break;
    default:
      rc = report("parse", line, EINVAL);
    }
  }
  free(line);
  close(root);
  return rc == 0 ? 0 : 1;
}
