/* The container's seccomp filter, built from the spec: the syscalls it denies (EPERM) or answers
 * ENOSYS for (clone3, so that libc falls back to clone, whose flags can be checked), clone with
 * namespace flags, and personality outside the common values. Syscalls of another ABI than the
 * helper's (i386 or x32 on x86_64) get ENOSYS: otherwise they would bypass the filter. Which syscalls
 * is policy, decided in seccomp.ts; this file knows the numbers, for the architecture it is built for. */
#include "seccomp.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define NATIVE_ARCH AUDIT_ARCH_X86_64
#define X32_SYSCALL_BIT 0x40000000U
#elif defined(__aarch64__)
#define NATIVE_ARCH AUDIT_ARCH_AARCH64
#else
#error "seccomp.c: add this architecture's AUDIT_ARCH"
#endif

/* Every name seccomp.ts may send; one missing on this architecture is left out by its #ifdef and
 * skipped (docker's profile does the same). */
static const struct
{
  const char *name;
  long nr;
} known[] = {
#ifdef SYS__sysctl
  { "_sysctl", SYS__sysctl },
#endif
#ifdef SYS_acct
  { "acct", SYS_acct },
#endif
#ifdef SYS_add_key
  { "add_key", SYS_add_key },
#endif
#ifdef SYS_bpf
  { "bpf", SYS_bpf },
#endif
#ifdef SYS_clock_adjtime
  { "clock_adjtime", SYS_clock_adjtime },
#endif
#ifdef SYS_clock_settime
  { "clock_settime", SYS_clock_settime },
#endif
#ifdef SYS_clock_settime64
  { "clock_settime64", SYS_clock_settime64 },
#endif
#ifdef SYS_clone3
  { "clone3", SYS_clone3 },
#endif
#ifdef SYS_create_module
  { "create_module", SYS_create_module },
#endif
#ifdef SYS_delete_module
  { "delete_module", SYS_delete_module },
#endif
#ifdef SYS_fanotify_init
  { "fanotify_init", SYS_fanotify_init },
#endif
#ifdef SYS_finit_module
  { "finit_module", SYS_finit_module },
#endif
#ifdef SYS_fsconfig
  { "fsconfig", SYS_fsconfig },
#endif
#ifdef SYS_fsmount
  { "fsmount", SYS_fsmount },
#endif
#ifdef SYS_fsopen
  { "fsopen", SYS_fsopen },
#endif
#ifdef SYS_fspick
  { "fspick", SYS_fspick },
#endif
#ifdef SYS_get_kernel_syms
  { "get_kernel_syms", SYS_get_kernel_syms },
#endif
#ifdef SYS_get_mempolicy
  { "get_mempolicy", SYS_get_mempolicy },
#endif
#ifdef SYS_init_module
  { "init_module", SYS_init_module },
#endif
#ifdef SYS_io_uring_enter
  { "io_uring_enter", SYS_io_uring_enter },
#endif
#ifdef SYS_io_uring_register
  { "io_uring_register", SYS_io_uring_register },
#endif
#ifdef SYS_io_uring_setup
  { "io_uring_setup", SYS_io_uring_setup },
#endif
#ifdef SYS_ioperm
  { "ioperm", SYS_ioperm },
#endif
#ifdef SYS_iopl
  { "iopl", SYS_iopl },
#endif
#ifdef SYS_kcmp
  { "kcmp", SYS_kcmp },
#endif
#ifdef SYS_kexec_file_load
  { "kexec_file_load", SYS_kexec_file_load },
#endif
#ifdef SYS_kexec_load
  { "kexec_load", SYS_kexec_load },
#endif
#ifdef SYS_keyctl
  { "keyctl", SYS_keyctl },
#endif
#ifdef SYS_lookup_dcookie
  { "lookup_dcookie", SYS_lookup_dcookie },
#endif
#ifdef SYS_mbind
  { "mbind", SYS_mbind },
#endif
#ifdef SYS_mount
  { "mount", SYS_mount },
#endif
#ifdef SYS_mount_setattr
  { "mount_setattr", SYS_mount_setattr },
#endif
#ifdef SYS_move_mount
  { "move_mount", SYS_move_mount },
#endif
#ifdef SYS_move_pages
  { "move_pages", SYS_move_pages },
#endif
#ifdef SYS_name_to_handle_at
  { "name_to_handle_at", SYS_name_to_handle_at },
#endif
#ifdef SYS_nfsservctl
  { "nfsservctl", SYS_nfsservctl },
#endif
#ifdef SYS_open_by_handle_at
  { "open_by_handle_at", SYS_open_by_handle_at },
#endif
#ifdef SYS_open_tree
  { "open_tree", SYS_open_tree },
#endif
#ifdef SYS_perf_event_open
  { "perf_event_open", SYS_perf_event_open },
#endif
#ifdef SYS_pidfd_getfd
  { "pidfd_getfd", SYS_pidfd_getfd },
#endif
#ifdef SYS_pivot_root
  { "pivot_root", SYS_pivot_root },
#endif
#ifdef SYS_process_madvise
  { "process_madvise", SYS_process_madvise },
#endif
#ifdef SYS_process_vm_readv
  { "process_vm_readv", SYS_process_vm_readv },
#endif
#ifdef SYS_process_vm_writev
  { "process_vm_writev", SYS_process_vm_writev },
#endif
#ifdef SYS_query_module
  { "query_module", SYS_query_module },
#endif
#ifdef SYS_quotactl
  { "quotactl", SYS_quotactl },
#endif
#ifdef SYS_quotactl_fd
  { "quotactl_fd", SYS_quotactl_fd },
#endif
#ifdef SYS_reboot
  { "reboot", SYS_reboot },
#endif
#ifdef SYS_request_key
  { "request_key", SYS_request_key },
#endif
#ifdef SYS_set_mempolicy
  { "set_mempolicy", SYS_set_mempolicy },
#endif
#ifdef SYS_set_mempolicy_home_node
  { "set_mempolicy_home_node", SYS_set_mempolicy_home_node },
#endif
#ifdef SYS_setdomainname
  { "setdomainname", SYS_setdomainname },
#endif
#ifdef SYS_sethostname
  { "sethostname", SYS_sethostname },
#endif
#ifdef SYS_setns
  { "setns", SYS_setns },
#endif
#ifdef SYS_settimeofday
  { "settimeofday", SYS_settimeofday },
#endif
#ifdef SYS_stime
  { "stime", SYS_stime },
#endif
#ifdef SYS_swapoff
  { "swapoff", SYS_swapoff },
#endif
#ifdef SYS_swapon
  { "swapon", SYS_swapon },
#endif
#ifdef SYS_sysfs
  { "sysfs", SYS_sysfs },
#endif
#ifdef SYS_syslog
  { "syslog", SYS_syslog },
#endif
#ifdef SYS_umount
  { "umount", SYS_umount },
#endif
#ifdef SYS_umount2
  { "umount2", SYS_umount2 },
#endif
#ifdef SYS_unshare
  { "unshare", SYS_unshare },
#endif
#ifdef SYS_uselib
  { "uselib", SYS_uselib },
#endif
#ifdef SYS_userfaultfd
  { "userfaultfd", SYS_userfaultfd },
#endif
#ifdef SYS_ustat
  { "ustat", SYS_ustat },
#endif
#ifdef SYS_vhangup
  { "vhangup", SYS_vhangup },
#endif
#ifdef SYS_vm86
  { "vm86", SYS_vm86 },
#endif
#ifdef SYS_vm86old
  { "vm86old", SYS_vm86old },
#endif
};

static long syscall_number (const char *name)
{
  for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
    if (strcmp (known[i].name, name) == 0)
      return known[i].nr;
  return -1;
}

#define CLONE_NAMESPACES 0x7E020080U /* NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET | NEWTIME */
#define ARG0_LOW (offsetof (struct seccomp_data, args))
#define RET_ERRNO(e) (SECCOMP_RET_ERRNO | ((e) & SECCOMP_RET_DATA))

struct program
{
  struct sock_filter *insns;
  size_t len, cap;
};

static void emit (struct program *p, struct sock_filter insn)
{
  if (p->len < p->cap)
    p->insns[p->len] = insn;
  p->len++;
}

static void stmt (struct program *p, unsigned short code, unsigned k)
{
  emit (p, (struct sock_filter) BPF_STMT (code, k));
}

static void jump (struct program *p, unsigned short code, unsigned k, unsigned char jt, unsigned char jf)
{
  emit (p, (struct sock_filter) BPF_JUMP (code, k, jt, jf));
}

/* "if nr == number return ret": a jump over the return when it is another syscall. */
static void answer (struct program *p, long number, unsigned ret)
{
  jump (p, BPF_JMP | BPF_JEQ | BPF_K, (unsigned) number, 0, 1);
  stmt (p, BPF_RET | BPF_K, ret);
}

static void build (const struct spec *spec, struct program *p)
{
  stmt (p, BPF_LD | BPF_W | BPF_ABS, offsetof (struct seccomp_data, arch));
  jump (p, BPF_JMP | BPF_JEQ | BPF_K, NATIVE_ARCH, 1, 0);
  stmt (p, BPF_RET | BPF_K, RET_ERRNO (ENOSYS));
  stmt (p, BPF_LD | BPF_W | BPF_ABS, offsetof (struct seccomp_data, nr));
#ifdef X32_SYSCALL_BIT
  jump (p, BPF_JMP | BPF_JGE | BPF_K, X32_SYSCALL_BIT, 0, 1);
  stmt (p, BPF_RET | BPF_K, RET_ERRNO (ENOSYS));
#endif
  for (size_t i = 0; i < spec->nsc_deny; i++)
    {
      long nr = syscall_number (spec->sc_deny[i]);
      if (nr >= 0)
        answer (p, nr, RET_ERRNO (EPERM));
    }
  for (size_t i = 0; i < spec->nsc_nosys; i++)
    {
      long nr = syscall_number (spec->sc_nosys[i]);
      if (nr >= 0)
        answer (p, nr, RET_ERRNO (ENOSYS));
    }
  if (spec->sc_clone_ns)
    {
      /* clone's flags are its first argument on both architectures; the namespace bits are all low. */
      jump (p, BPF_JMP | BPF_JEQ | BPF_K, SYS_clone, 0, 4);
      stmt (p, BPF_LD | BPF_W | BPF_ABS, ARG0_LOW);
      jump (p, BPF_JMP | BPF_JSET | BPF_K, CLONE_NAMESPACES, 0, 1);
      stmt (p, BPF_RET | BPF_K, RET_ERRNO (EPERM));
      stmt (p, BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
    }
  if (spec->nsc_persona > 0)
    {
      /* personality(2): only the listed values (the query 0xffffffff among them). */
      size_t n = spec->nsc_persona;
      jump (p, BPF_JMP | BPF_JEQ | BPF_K, SYS_personality, 0, (unsigned char) (n + 3));
      stmt (p, BPF_LD | BPF_W | BPF_ABS, ARG0_LOW);
      for (size_t i = 0; i < n; i++)
        jump (p, BPF_JMP | BPF_JEQ | BPF_K, (unsigned) spec->sc_persona[i], (unsigned char) (n - i), 0);
      stmt (p, BPF_RET | BPF_K, RET_ERRNO (EPERM));
      stmt (p, BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
    }
  stmt (p, BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
}

int seccomp_install (const struct spec *spec, struct err *err)
{
  if (!spec->seccomp)
    return 0;
  if (spec->nsc_persona > 200)
    return fail (err, E2BIG, "spec: too many personality values for the seccomp filter");
  struct program p = { NULL, 0, 0 };
  build (spec, &p);
  p.cap = p.len;
  p.insns = calloc (p.cap, sizeof *p.insns);
  if (p.insns == NULL)
    return fail (err, ENOMEM, "calloc `seccomp filter`");
  p.len = 0;
  build (spec, &p);
  struct sock_fprog prog = { .len = (unsigned short) p.len, .filter = p.insns };
  /* With CAP_SYS_ADMIN, before the capabilities are dropped: no_new_privs stays the user's choice. */
  int rc = (int) syscall (SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
  int saved = errno;
  free (p.insns);
  if (rc < 0)
    return fail (err, saved, "seccomp `SECCOMP_SET_MODE_FILTER` (%zu instructions)", (size_t) prog.len);
  return 0;
}
