/* Terminals: a pty allocated inside the container's own devpts, its master passed over a unix socket. */
#ifndef TSC_PTY_H
#define TSC_PTY_H

#include <stdbool.h>

#include "error.h"

/* Opens /dev/ptmx as the calling process sees it, unlocks it and opens the peer with TIOCGPTPEER (no
 * path lookup of /dev/pts/N, which the container could swap: CVE-2025-52565). */
int pty_open (int *master, int *slave, struct err *err);

/* Sets the terminal's size (TIOCSWINSZ); nothing when rows or cols is 0. */
int pty_set_size (int fd, unsigned short rows, unsigned short cols, struct err *err);

/* New session with the slave as its controlling terminal on 0, 1 and 2; with console, also bound over
 * /dev/console. */
int pty_become_session (int slave, bool console, struct err *err);

/* Sends fd with one 'F' byte (sync.h receives it). */
int send_fd (int sock, int fd, struct err *err);

#endif
