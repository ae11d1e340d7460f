/* The sync socket between a parent (monitor or exec) and the child it sets up. Child to parent: 'R'
 * ready to exec, 'E' + struct err, 'F' + a pty master (SCM_RIGHTS); parent to child: 'X' exec. The socket is close-on-exec: EOF after 'X' means the exec succeeded. */
#ifndef TSC_SYNC_H
#define TSC_SYNC_H

#include "error.h"

/* Sends one byte; -1 on failure (the peer is gone). */
int sync_send (int sock, char type);

/* Sends 'E' and the error; for a child about to exit, so failures to send are ignored. */
void sync_send_error (int sock, const struct err *err);

/* Receives one message: returns its type, 0 on EOF, -1 on a failure. An 'E' fills *payload; an 'F'
 * stores the received descriptor in *fd. */
int sync_recv (int sock, int *fd, struct err *payload);

#endif
