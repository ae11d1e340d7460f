/* The container's filesystem: overlay root, the spec's mounts resolved inside the new root, /dev nodes,
 * pivot_root, masked and read-only paths. */
#ifndef TSC_MOUNTS_H
#define TSC_MOUNTS_H

#include <stdbool.h>

#include "error.h"
#include "spec.h"

/* "/proc/self/fd/N": how a resolved O_PATH fd is named to mount(2). */
struct fdpath
{
  char s[32];
};
struct fdpath fd_path (int fd);

/* Opens path beneath rootfd the way the container would see it (symlinks resolved inside the root, never
 * out of it, no /proc magic links). */
int open_in_root (int rootfd, const char *path, int flags, struct err *err);

/* Like open_in_root (O_PATH), creating missing directories on the way and the last component as a
 * directory or an empty file. */
int make_in_root (int rootfd, const char *path, bool directory, struct err *err);

/* Host side of the root: "/" made private, the overlay mounted on spec->merged. Returns a fd on it. */
int mount_rootfs (const struct spec *spec, struct err *err);

/* Mounts, devices, symlinks and the working directory inside rootfd, then the read-only remounts. */
int populate_rootfs (int rootfd, const struct spec *spec, struct err *err);

/* pivot_root into rootfd and detach the host's root. */
int pivot_to (int rootfd, struct err *err);

/* After the pivot: masked paths, read-only paths, a read-only root. */
int finish_rootfs (const struct spec *spec, struct err *err);

#endif
