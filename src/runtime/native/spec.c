/* Decoder for the NUL-separated spec (see spec.h). Every value is checked here, once. */
#include "spec.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define SPEC_MAX (8u << 20)

static int parse_u64 (const char *s, uint64_t max, uint64_t *out, struct err *err)
{
  char *end;
  if (*s == '\0' || *s == '-')
    return fail (err, 0, "spec: `%s` is not a number", s);
  errno = 0;
  unsigned long long v = strtoull (s, &end, 10);
  if (errno != 0 || *end != '\0' || v > max)
    return fail (err, 0, "spec: `%s` is not a number up to %llu", s, (unsigned long long) max);
  *out = v;
  return 0;
}

static int parse_octal (const char *s, unsigned *out, struct err *err)
{
  char *end;
  errno = 0;
  unsigned long v = strtoul (s, &end, 8);
  if (*s == '\0' || errno != 0 || *end != '\0' || v > 07777)
    return fail (err, 0, "spec: `%s` is not an octal mode", s);
  *out = (unsigned) v;
  return 0;
}

static int parse_rlimit_value (const char *s, rlim_t *out, struct err *err)
{
  uint64_t v;
  if (strcmp (s, "unlimited") == 0)
    {
      *out = RLIM_INFINITY;
      return 0;
    }
  if (parse_u64 (s, UINT64_MAX - 1, &v, err) < 0)
    return -1;
  *out = (rlim_t) v;
  return 0;
}

static const struct
{
  const char *name;
  unsigned long flag;
  bool propagation;
} mount_flags[] = {
  { "ro", MS_RDONLY, false },         { "nosuid", MS_NOSUID, false },     { "nodev", MS_NODEV, false },
  { "noexec", MS_NOEXEC, false },     { "bind", MS_BIND, false },         { "rbind", MS_BIND | MS_REC, false },
  { "relatime", MS_RELATIME, false }, { "strictatime", MS_STRICTATIME, false },
  { "noatime", MS_NOATIME, false },   { "nodiratime", MS_NODIRATIME, false },
  { "sync", MS_SYNCHRONOUS, false },  { "dirsync", MS_DIRSYNC, false },
  { "private", MS_PRIVATE, true },    { "rprivate", MS_PRIVATE | MS_REC, true },
  { "slave", MS_SLAVE, true },        { "rslave", MS_SLAVE | MS_REC, true },
  { "shared", MS_SHARED, true },      { "rshared", MS_SHARED | MS_REC, true },
};

/* flags: comma-separated names from the table above ("" for none). */
static int parse_mount_flags (char *list, struct mount_entry *m, struct err *err)
{
  m->flags = 0;
  m->propagation = 0;
  m->readonly = false;
  for (char *save = NULL, *word = strtok_r (list, ",", &save); word; word = strtok_r (NULL, ",", &save))
    {
      size_t i;
      for (i = 0; i < sizeof mount_flags / sizeof mount_flags[0]; i++)
        if (strcmp (word, mount_flags[i].name) == 0)
          break;
      if (i == sizeof mount_flags / sizeof mount_flags[0])
        return fail (err, 0, "spec: unknown mount flag `%s` for `%s`", word, m->target);
      if (mount_flags[i].flag == MS_RDONLY)
        m->readonly = true;
      else if (mount_flags[i].propagation)
        m->propagation = mount_flags[i].flag;
      else
        m->flags |= mount_flags[i].flag;
    }
  return 0;
}

static const struct
{
  const char *name;
  int resource;
} rlimit_names[] = {
  { "as", RLIMIT_AS },           { "core", RLIMIT_CORE },         { "cpu", RLIMIT_CPU },
  { "data", RLIMIT_DATA },       { "fsize", RLIMIT_FSIZE },       { "locks", RLIMIT_LOCKS },
  { "memlock", RLIMIT_MEMLOCK }, { "msgqueue", RLIMIT_MSGQUEUE }, { "nice", RLIMIT_NICE },
  { "nofile", RLIMIT_NOFILE },   { "nproc", RLIMIT_NPROC },       { "rss", RLIMIT_RSS },
  { "rtprio", RLIMIT_RTPRIO },   { "rttime", RLIMIT_RTTIME },     { "sigpending", RLIMIT_SIGPENDING },
  { "stack", RLIMIT_STACK },
};

/* Keys and how many fields follow each. */
static const struct
{
  const char *key;
  int fields;
} keys[] = {
  { "arg", 1 },     { "env", 1 },      { "cwd", 1 },      { "mkcwd", 0 },   { "user", 2 },
  { "group", 1 },   { "caps", 1 },     { "nnp", 0 },      { "terminal", 0 }, { "stdin", 0 },
  { "init", 0 },    { "detach", 0 },   { "rlimit", 3 },   { "hostname", 1 }, { "netns", 1 },
  { "hostnet", 0 }, { "rootro", 0 },   { "cgroup", 1 },   { "lower", 1 },   { "upper", 1 },
  { "work", 1 },    { "merged", 1 },   { "mount", 5 },    { "mask", 1 },    { "readonly", 1 },
  { "device", 5 },  { "symlink", 2 },  { "log", 1 },      { "logmax", 1 },  { "logfiles", 1 },
  { "exitfile", 1 }, { "socket", 1 },  { "waitattach", 1 }, { "pid", 1 },
  { "consize", 2 },  { "cgroupinto", 1 }, { "onexit", 1 }, { "seccomp", 0 }, { "scdeny", 1 },
  { "scnosys", 1 },  { "scclone", 0 },    { "scpersona", 1 }, { "detachkey", 1 },
};

static int absolute (const char *what, const char *path, struct err *err)
{
  if (path[0] != '/')
    return fail (err, 0, "spec: %s `%s` is not an absolute path", what, path);
  return 0;
}

static int parse_record (struct spec *s, const char *key, char **f, struct err *err)
{
  uint64_t v;
  if (strcmp (key, "arg") == 0)
    s->args[s->nargs++] = f[0];
  else if (strcmp (key, "detachkey") == 0)
    {
      if (s->ndetach_keys == sizeof s->detach_keys)
        return fail (err, E2BIG, "spec: more than %zu detach keys", sizeof s->detach_keys);
      if (parse_u64 (f[0], 255, &v, err) < 0)
        return -1;
      s->detach_keys[s->ndetach_keys++] = (unsigned char) v;
    }
  else if (strcmp (key, "seccomp") == 0)
    s->seccomp = true;
  else if (strcmp (key, "scclone") == 0)
    s->sc_clone_ns = true;
  else if (strcmp (key, "scdeny") == 0)
    s->sc_deny[s->nsc_deny++] = f[0];
  else if (strcmp (key, "scnosys") == 0)
    s->sc_nosys[s->nsc_nosys++] = f[0];
  else if (strcmp (key, "scpersona") == 0)
    {
      if (parse_u64 (f[0], UINT32_MAX, &v, err) < 0)
        return -1;
      s->sc_persona[s->nsc_persona++] = (uint32_t) v;
    }
  else if (strcmp (key, "onexit") == 0)
    {
      if (s->nonexit == 0 && absolute ("onexit program", f[0], err) < 0)
        return -1;
      s->onexit[s->nonexit++] = f[0];
    }
  else if (strcmp (key, "env") == 0)
    {
      if (strchr (f[0], '=') == NULL)
        return fail (err, 0, "spec: env entry `%s` has no `=`", f[0]);
      s->env[s->nenv++] = f[0];
    }
  else if (strcmp (key, "cwd") == 0)
    {
      if (absolute ("cwd", f[0], err) < 0)
        return -1;
      s->cwd = f[0];
    }
  else if (strcmp (key, "mkcwd") == 0)
    s->mkcwd = true;
  else if (strcmp (key, "user") == 0)
    {
      if (parse_u64 (f[0], INT_MAX, &v, err) < 0)
        return -1;
      s->uid = (uid_t) v;
      if (parse_u64 (f[1], INT_MAX, &v, err) < 0)
        return -1;
      s->gid = (gid_t) v;
    }
  else if (strcmp (key, "group") == 0)
    {
      if (parse_u64 (f[0], INT_MAX, &v, err) < 0)
        return -1;
      s->groups[s->ngroups++] = (gid_t) v;
    }
  else if (strcmp (key, "caps") == 0)
    {
      char *end;
      errno = 0;
      s->caps = strtoull (f[0], &end, 16);
      if (*f[0] == '\0' || errno != 0 || *end != '\0')
        return fail (err, 0, "spec: caps `%s` is not a hex mask", f[0]);
    }
  else if (strcmp (key, "nnp") == 0)
    s->nnp = true;
  else if (strcmp (key, "terminal") == 0)
    s->terminal = true;
  else if (strcmp (key, "stdin") == 0)
    s->open_stdin = true;
  else if (strcmp (key, "init") == 0)
    s->init = true;
  else if (strcmp (key, "detach") == 0)
    s->detach = true;
  else if (strcmp (key, "rlimit") == 0)
    {
      struct rlimit_entry *r = &s->rlimits[s->nrlimits];
      size_t i;
      for (i = 0; i < sizeof rlimit_names / sizeof rlimit_names[0]; i++)
        if (strcmp (f[0], rlimit_names[i].name) == 0)
          break;
      if (i == sizeof rlimit_names / sizeof rlimit_names[0])
        return fail (err, 0, "spec: unknown rlimit `%s`", f[0]);
      r->resource = rlimit_names[i].resource;
      r->name = rlimit_names[i].name;
      if (parse_rlimit_value (f[1], &r->limit.rlim_cur, err) < 0
          || parse_rlimit_value (f[2], &r->limit.rlim_max, err) < 0)
        return -1;
      s->nrlimits++;
    }
  else if (strcmp (key, "hostname") == 0)
    s->hostname = f[0];
  else if (strcmp (key, "netns") == 0)
    {
      if (absolute ("netns", f[0], err) < 0)
        return -1;
      s->netns = f[0];
    }
  else if (strcmp (key, "hostnet") == 0)
    s->hostnet = true;
  else if (strcmp (key, "rootro") == 0)
    s->rootro = true;
  else if (strcmp (key, "cgroup") == 0)
    {
      if (absolute ("cgroup file", f[0], err) < 0)
        return -1;
      s->cgroups[s->ncgroups++] = f[0];
    }
  else if (strcmp (key, "cgroupinto") == 0)
    {
      if (absolute ("cgroup directory", f[0], err) < 0)
        return -1;
      s->cgroup_into = f[0];
    }
  else if (strcmp (key, "lower") == 0)
    {
      if (absolute ("lower dir", f[0], err) < 0)
        return -1;
      s->lowers[s->nlowers++] = f[0];
    }
  else if (strcmp (key, "upper") == 0 || strcmp (key, "work") == 0 || strcmp (key, "merged") == 0)
    {
      if (absolute (key, f[0], err) < 0)
        return -1;
      *(key[0] == 'u' ? &s->upper : key[0] == 'w' ? &s->work : &s->merged) = f[0];
    }
  else if (strcmp (key, "mount") == 0)
    {
      struct mount_entry *m = &s->mounts[s->nmounts];
      m->type = f[0];
      m->source = f[1];
      m->target = f[2];
      m->data = f[4];
      if (absolute ("mount target", m->target, err) < 0 || parse_mount_flags (f[3], m, err) < 0)
        return -1;
      if ((m->flags & MS_BIND) && absolute ("bind source", m->source, err) < 0)
        return -1;
      s->nmounts++;
    }
  else if (strcmp (key, "mask") == 0 || strcmp (key, "readonly") == 0)
    {
      if (absolute (key, f[0], err) < 0)
        return -1;
      if (key[0] == 'm')
        s->masked[s->nmasked++] = f[0];
      else
        s->readonly[s->nreadonly++] = f[0];
    }
  else if (strcmp (key, "device") == 0)
    {
      struct device_entry *d = &s->devices[s->ndevices];
      uint64_t major = 0, minor = 0;
      unsigned perm = 0;
      if (absolute ("device", f[0], err) < 0)
        return -1;
      if (strcmp (f[1], "c") != 0 && strcmp (f[1], "b") != 0)
        return fail (err, 0, "spec: device type `%s` is not c or b", f[1]);
      if (parse_u64 (f[2], 4095, &major, err) < 0 || parse_u64 (f[3], 1048575, &minor, err) < 0
          || parse_octal (f[4], &perm, err) < 0)
        return -1;
      d->path = f[0];
      d->mode = (f[1][0] == 'c' ? S_IFCHR : S_IFBLK) | (perm & 0777);
      d->dev = makedev (major, minor);
      s->ndevices++;
    }
  else if (strcmp (key, "symlink") == 0)
    {
      if (absolute ("symlink", f[1], err) < 0)
        return -1;
      s->symlinks[s->nsymlinks].target = f[0];
      s->symlinks[s->nsymlinks++].path = f[1];
    }
  else if (strcmp (key, "log") == 0 || strcmp (key, "exitfile") == 0 || strcmp (key, "socket") == 0)
    {
      if (absolute (key, f[0], err) < 0)
        return -1;
      *(key[0] == 'l' ? &s->log_path : key[0] == 'e' ? &s->exit_path : &s->socket_path) = f[0];
    }
  else if (strcmp (key, "logmax") == 0)
    return parse_u64 (f[0], UINT64_MAX, &s->log_max, err);
  else if (strcmp (key, "logfiles") == 0 || strcmp (key, "waitattach") == 0)
    {
      if (parse_u64 (f[0], 3600, &v, err) < 0)
        return -1;
      *(key[0] == 'l' ? &s->log_files : &s->wait_attach) = (unsigned) v;
    }
  else if (strcmp (key, "consize") == 0)
    {
      if (parse_u64 (f[0], USHRT_MAX, &v, err) < 0)
        return -1;
      s->rows = (unsigned short) v;
      if (parse_u64 (f[1], USHRT_MAX, &v, err) < 0)
        return -1;
      s->cols = (unsigned short) v;
    }
  else if (strcmp (key, "pid") == 0)
    {
      if (parse_u64 (f[0], INT_MAX, &v, err) < 0 || v < 1)
        return fail (err, 0, "spec: pid `%s` is not a process id", f[0]);
      s->pid = (pid_t) v;
    }
  return 0;
}

int spec_parse (char *buf, size_t len, struct spec *s, struct err *err)
{
  memset (s, 0, sizeof *s);
  s->buf = buf;
  s->log_files = 1;
  if (len == 0 || buf[len - 1] != '\0')
    return fail (err, 0, "spec: not NUL-terminated (%zu bytes)", len);
  size_t strings = 0;
  for (size_t i = 0; i < len; i++)
    strings += buf[i] == '\0';
  /* Every array gets room for all strings: simple, and a spec is small. */
  size_t cap = strings + 1;
  s->args = calloc (cap, sizeof *s->args);
  s->env = calloc (cap, sizeof *s->env);
  s->groups = calloc (cap, sizeof *s->groups);
  s->rlimits = calloc (cap, sizeof *s->rlimits);
  s->cgroups = calloc (cap, sizeof *s->cgroups);
  s->lowers = calloc (cap, sizeof *s->lowers);
  s->mounts = calloc (cap, sizeof *s->mounts);
  s->masked = calloc (cap, sizeof *s->masked);
  s->readonly = calloc (cap, sizeof *s->readonly);
  s->devices = calloc (cap, sizeof *s->devices);
  s->symlinks = calloc (cap, sizeof *s->symlinks);
  s->onexit = calloc (cap, sizeof *s->onexit);
  s->sc_deny = calloc (cap, sizeof *s->sc_deny);
  s->sc_nosys = calloc (cap, sizeof *s->sc_nosys);
  s->sc_persona = calloc (cap, sizeof *s->sc_persona);
  if (!s->onexit || !s->sc_deny || !s->sc_nosys || !s->sc_persona || !s->args || !s->env || !s->groups || !s->rlimits || !s->cgroups || !s->lowers || !s->mounts
      || !s->masked || !s->readonly || !s->devices || !s->symlinks)
    return fail (err, ENOMEM, "spec: calloc");

  char *p = buf, *end = buf + len;
  if (strcmp (p, SPEC_MAGIC) != 0)
    return fail (err, 0, "spec: expected `%s` first, got `%.40s`", SPEC_MAGIC, p);
  p += strlen (p) + 1;
  while (p < end)
    {
      const char *key = p;
      p += strlen (p) + 1;
      size_t k;
      for (k = 0; k < sizeof keys / sizeof keys[0]; k++)
        if (strcmp (key, keys[k].key) == 0)
          break;
      if (k == sizeof keys / sizeof keys[0])
        return fail (err, 0, "spec: unknown key `%.40s`", key);
      char *fields[5];
      for (int i = 0; i < keys[k].fields; i++)
        {
          if (p >= end)
            return fail (err, 0, "spec: `%s` needs %d fields", key, keys[k].fields);
          fields[i] = p;
          p += strlen (p) + 1;
        }
      if (parse_record (s, key, fields, err) < 0)
        return -1;
    }
  if (s->cwd == NULL)
    s->cwd = "/";
  return 0;
}

int spec_read (int fd, struct spec *s, struct err *err)
{
  size_t cap = 64 * 1024, len = 0;
  char *buf = malloc (cap);
  if (buf == NULL)
    return fail (err, ENOMEM, "spec: malloc");
  for (;;)
    {
      if (len == cap)
        {
          if (cap >= SPEC_MAX)
            {
              free (buf);
              return fail (err, E2BIG, "spec: read more than %u bytes", SPEC_MAX);
            }
          char *bigger = realloc (buf, cap * 2);
          if (bigger == NULL)
            {
              free (buf);
              return fail (err, ENOMEM, "spec: realloc");
            }
          buf = bigger;
          cap *= 2;
        }
      ssize_t n = read (fd, buf + len, cap - len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;
          free (buf);
          return fail (err, saved, "read `spec`");
        }
      if (n == 0)
        break;
      len += (size_t) n;
    }
  return spec_parse (buf, len, s, err);
}
