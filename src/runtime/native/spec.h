/* The spec the helper executes, decoded from the wire form written by src/runtime/spec.ts.
 * Wire form: NUL-terminated strings; the first is "tscompose-spec-1", then records of a key followed by
 * that key's fixed number of fields (table in spec.c). NUL cannot occur in argv, env or paths, so no
 * escaping is needed and nothing is ever parsed twice. */
#ifndef TSC_SPEC_H
#define TSC_SPEC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "error.h"

#define SPEC_MAGIC "tscompose-spec-1"

struct mount_entry
{
  const char *type, *source, *target, *data;
  unsigned long flags;    /* MS_* without MS_RDONLY, which is applied by a later remount */
  unsigned long propagation;
  bool readonly;
};

struct device_entry
{
  const char *path;
  mode_t mode; /* S_IFCHR | permissions */
  dev_t dev;
};

struct rlimit_entry
{
  int resource;
  const char *name;
  struct rlimit limit;
};

struct symlink_entry
{
  const char *target, *path;
};

struct spec
{
  char *buf;
  /* process */
  const char **args, **env; /* NULL-terminated */
  size_t nargs, nenv;
  const char *cwd;
  bool mkcwd;
  uid_t uid;
  gid_t gid;
  gid_t *groups;
  size_t ngroups;
  uint64_t caps;
  bool nnp, terminal, open_stdin, init, detach;
  unsigned short rows, cols; /* the pty's first size; 0 0: the kernel's default */
  struct rlimit_entry *rlimits;
  size_t nrlimits;
  /* container */
  const char *hostname, *netns;
  bool hostnet, rootro;
  const char **cgroups; /* files the process joins through by writing "0" */
  size_t ncgroups;
  const char *cgroup_into; /* a cgroup2 directory the process is cloned straight into */
  const char **lowers; /* top first, as overlay stacks them */
  size_t nlowers;
  const char *upper, *work, *merged;
  struct mount_entry *mounts;
  size_t nmounts;
  const char **masked, **readonly;
  size_t nmasked, nreadonly;
  struct device_entry *devices;
  size_t ndevices;
  struct symlink_entry *symlinks;
  size_t nsymlinks;
  /* monitor */
  const char *log_path, *exit_path, *socket_path;
  uint64_t log_max;
  unsigned log_files;
  unsigned wait_attach; /* seconds to hold the exec for the first attach client, 0 = don't */
  char **onexit;        /* NULL-terminated argv the monitor execs once done, when nobody is attached */
  size_t nonexit;
  /* seccomp (seccomp.c): on or off, the syscalls denied and answered ENOSYS, clone's namespace flags,
   * the personality values allowed (none listed: any) */
  bool seccomp, sc_clone_ns;
  const char **sc_deny, **sc_nosys;
  size_t nsc_deny, nsc_nosys;
  uint32_t *sc_persona;
  size_t nsc_persona;
  /* exec */
  pid_t pid;
  unsigned char detach_keys[16]; /* typed on stdin with a terminal, they detach the caller (exec -it) */
  size_t ndetach_keys;
};

/* Reads the whole spec from fd (at most 8 MiB) and decodes it. */
int spec_read (int fd, struct spec *spec, struct err *err);

/* Decodes a spec held in buf (len bytes, owned by spec afterwards). */
int spec_parse (char *buf, size_t len, struct spec *spec, struct err *err);

#endif
