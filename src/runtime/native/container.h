/* The container's PID 1 before it becomes the command: everything from the new namespaces to execve. */
#ifndef TSC_CONTAINER_H
#define TSC_CONTAINER_H

#include "spec.h"

struct child_args
{
  const struct spec *spec;
  int sync;
  int stdio[3]; /* the monitor's pipe ends; -1 for /dev/null or when a terminal is used */
  int netns;    /* a network namespace to join, or -1 */
};

__attribute__ ((noreturn)) void container_child (const struct child_args *args);

#endif
