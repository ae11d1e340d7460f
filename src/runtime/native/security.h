/* The process side of a container: its cgroups, rlimits, user and groups, capabilities, no_new_privs, working
 * directory and the executable's lookup. Shared by `run` (PID 1) and `exec`. */
#ifndef TSC_SECURITY_H
#define TSC_SECURITY_H

#include <stddef.h>
#include <sys/types.h>

#include "error.h"
#include "spec.h"

/* Moves the calling process into each of the spec's cgroup files by writing "0" (the writer) to it. On v1
 * these are `tasks` files: a single-threaded process moving itself that way skips the kernel's global
 * threadgroup lock, whose RCU grace period costs 15-60 ms per start through cgroup.procs. */
int join_cgroups_self (const struct spec *spec, struct err *err);

/* The same in two steps, for `exec`: the files are opened (into fds, spec->ncgroups of them) while their
 * paths are still the host's, and the process that joins writes into them later, from inside. */
int cgroup_join_open (const struct spec *spec, int *fds, struct err *err);
int cgroup_join_write (const struct spec *spec, const int *fds, struct err *err);
void cgroup_join_close (const struct spec *spec, int *fds);

/* Opens the spec's cgroup_into (O_PATH) into *fd, or sets *fd to -1 without one. Before any setns: the
 * path is the host's. */
int open_cgroup_into (const struct spec *spec, int *fd, struct err *err);

/* fork with these namespace flags (clone without a new stack); with a cgroup_fd, clone3 with
 * CLONE_INTO_CGROUP, so the child starts in its cgroup and no move waits for that lock. Returns as fork. */
pid_t fork_into_cgroup (int cgroup_fd, unsigned long flags, struct err *err);

int apply_rlimits (const struct spec *spec, struct err *err);

/* Bounding set, groups, uid/gid, capability sets, no_new_privs, cwd: everything up to the exec. */
int become_container_process (const struct spec *spec, struct err *err);

/* Resolves args[0] as execve would after a PATH search of the container env (runc's LookPath): a
 * missing command is ENOENT, a present but unusable one EACCES; both are "exec" errors. */
int lookup_executable (const struct spec *spec, char *out, size_t outlen, struct err *err);

/* execve, turning a failure into an err; never returns on success. */
int exec_process (const struct spec *spec, const char *path, struct err *err);

#endif
