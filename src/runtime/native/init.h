/* `init: true`: the container's PID 1 is this small init (tini's job), the command its only child. */
#ifndef TSC_INIT_H
#define TSC_INIT_H

#include "spec.h"

/* Forks the command (exec errors go to sync), forwards signals to it, reaps every zombie and exits
 * with the command's exit code, or 128 + the signal that killed it. */
__attribute__ ((noreturn)) void init_run (const struct spec *spec, const char *path, int sync);

#endif
