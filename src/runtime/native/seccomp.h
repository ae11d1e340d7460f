/* The container's seccomp filter (seccomp.c). */
#ifndef TSC_SECCOMP_H
#define TSC_SECCOMP_H

#include "error.h"
#include "spec.h"

/* Installs the spec's filter on the calling thread (nothing without `seccomp` in the spec). Needs
 * CAP_SYS_ADMIN or no_new_privs: called while the helper still holds every capability. */
int seccomp_install (const struct spec *spec, struct err *err);

#endif
