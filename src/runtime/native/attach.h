/* The monitor's attach socket: a unix stream socket in the container's directory. Node cannot pass fds
 * or speak SEQPACKET, so both directions are framed like Docker's stdcopy: an 8-byte header {type, 0,
 * 0, 0, length as big-endian uint32} then the payload.
 *   client -> monitor: 0 stdin bytes, 3 resize {rows, cols as big-endian uint16}, 4 close stdin
 *   monitor -> client: 1 stdout, 2 stderr, 5 exit {exit code as big-endian int32}, then the close */
#ifndef TSC_ATTACH_H
#define TSC_ATTACH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define ATTACH_MAX_CLIENTS 8

enum
{
  FRAME_STDIN = 0,
  FRAME_STDOUT = 1,
  FRAME_STDERR = 2,
  FRAME_RESIZE = 3,
  FRAME_CLOSE_STDIN = 4,
  FRAME_EXIT = 5,
};

struct client
{
  int fd;
  unsigned char hdr[8];
  size_t hdr_len;
  uint32_t left;
  unsigned char small[4];
  size_t small_len;
};

struct attach
{
  int listen_fd;
  const char *path;
  struct client clients[ATTACH_MAX_CLIENTS];
};

enum attach_event_kind
{
  EV_NONE,
  EV_STDIN,
  EV_RESIZE,
  EV_CLOSE_STDIN,
  EV_GONE,
};

struct attach_event
{
  enum attach_event_kind kind;
  size_t len;
  unsigned short rows, cols;
};

/* Binds and listens (mode 0600); a path longer than sun_path is bound through its directory's fd. */
int attach_listen (struct attach *at, const char *path, struct err *err);

/* Accepts one pending client; returns its slot or -1. */
int attach_accept (struct attach *at);

/* Sends one frame to every client; a client that cannot take it within 2 s is dropped. */
void attach_broadcast (struct attach *at, unsigned char type, const void *data, size_t len);

/* One non-blocking read from client i; stdin bytes land in buf (at most cap). */
struct attach_event attach_read (struct attach *at, int i, char *buf, size_t cap);

void attach_drop (struct attach *at, int i);

/* Removes the socket's name, so nobody new can connect; connected clients keep their connection. */
void attach_unlink (struct attach *at);

/* Closes every client and removes the socket file. */
void attach_close (struct attach *at);

/* Whether any client is connected. */
bool attach_attached (const struct attach *at);

#endif
