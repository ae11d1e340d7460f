/* Attach socket server (see attach.h). */
#include "attach.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "mounts.h"

#define MAX_STDIN_FRAME (1u << 20)

int attach_listen (struct attach *at, const char *path, struct err *err)
{
  for (int i = 0; i < ATTACH_MAX_CLIENTS; i++)
    at->clients[i].fd = -1;
  at->path = path;
  at->listen_fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (at->listen_fd < 0)
    return fail (err, errno, "socket `%s`", path);
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  cleanup_close int dir = -1;
  if (strlen (path) < sizeof addr.sun_path)
    snprintf (addr.sun_path, sizeof addr.sun_path, "%s", path);
  else
    {
      /* Too long for sun_path: name it through an fd on its directory. */
      char parent[4096];
      snprintf (parent, sizeof parent, "%s", path);
      char *slash = strrchr (parent, '/');
      *slash = '\0';
      dir = open (*parent ? parent : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (dir < 0)
        return fail (err, errno, "open `%s`", parent);
      struct fdpath d = fd_path (dir);
      if (snprintf (addr.sun_path, sizeof addr.sun_path, "%s/%s", d.s, slash + 1) >= (int) sizeof addr.sun_path)
        return fail (err, ENAMETOOLONG, "bind `%s`", path);
    }
  unlink (addr.sun_path);
  mode_t old = umask (0177);
  int rc = bind (at->listen_fd, (struct sockaddr *) &addr, sizeof addr);
  umask (old);
  if (rc < 0)
    return fail (err, errno, "bind `%s`", path);
  if (listen (at->listen_fd, ATTACH_MAX_CLIENTS) < 0)
    return fail (err, errno, "listen `%s`", path);
  return 0;
}

int attach_accept (struct attach *at)
{
  int fd = accept4 (at->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (fd < 0)
    return -1;
  for (int i = 0; i < ATTACH_MAX_CLIENTS; i++)
    if (at->clients[i].fd < 0)
      {
        memset (&at->clients[i], 0, sizeof at->clients[i]);
        at->clients[i].fd = fd;
        return i;
      }
  close (fd);
  return -1;
}

void attach_drop (struct attach *at, int i)
{
  if (at->clients[i].fd >= 0)
    close (at->clients[i].fd);
  at->clients[i].fd = -1;
}

static int send_all (int fd, const unsigned char *hdr, const void *data, size_t len)
{
  size_t total = 8 + len, done = 0;
  while (done < total)
    {
      struct iovec iov[2];
      int n = 0;
      if (done < 8)
        iov[n++] = (struct iovec) { .iov_base = (void *) (hdr + done), .iov_len = 8 - done };
      size_t data_done = done > 8 ? done - 8 : 0;
      if (len > data_done)
        iov[n++] = (struct iovec) { .iov_base = (char *) data + data_done, .iov_len = len - data_done };
      struct msghdr msg = { .msg_iov = iov, .msg_iovlen = (size_t) n };
      ssize_t w = sendmsg (fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (w > 0)
        {
          done += (size_t) w;
          continue;
        }
      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0 && errno != EAGAIN)
        return -1;
      struct pollfd p = { .fd = fd, .events = POLLOUT };
      if (poll (&p, 1, 2000) <= 0)
        return -1;
    }
  return 0;
}

void attach_broadcast (struct attach *at, unsigned char type, const void *data, size_t len)
{
  unsigned char hdr[8] = { type, 0, 0, 0, (unsigned char) (len >> 24), (unsigned char) (len >> 16),
                           (unsigned char) (len >> 8), (unsigned char) len };
  for (int i = 0; i < ATTACH_MAX_CLIENTS; i++)
    if (at->clients[i].fd >= 0 && send_all (at->clients[i].fd, hdr, data, len) < 0)
      attach_drop (at, i);
}

struct attach_event attach_read (struct attach *at, int i, char *buf, size_t cap)
{
  struct client *c = &at->clients[i];
  struct attach_event ev = { .kind = EV_NONE };
  ssize_t n;
  if (c->hdr_len < 8)
    {
      n = read (c->fd, c->hdr + c->hdr_len, 8 - c->hdr_len);
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
        return (struct attach_event) { .kind = EV_GONE };
      if (n < 0)
        return ev;
      c->hdr_len += (size_t) n;
      if (c->hdr_len < 8)
        return ev;
      c->left = (uint32_t) c->hdr[4] << 24 | (uint32_t) c->hdr[5] << 16 | (uint32_t) c->hdr[6] << 8 | c->hdr[7];
      c->small_len = 0;
      bool ok = (c->hdr[0] == FRAME_STDIN && c->left <= MAX_STDIN_FRAME)
                || (c->hdr[0] == FRAME_RESIZE && c->left == 4) || (c->hdr[0] == FRAME_CLOSE_STDIN && c->left == 0);
      if (!ok)
        return (struct attach_event) { .kind = EV_GONE };
      if (c->left > 0)
        return ev;
      c->hdr_len = 0;
      if (c->hdr[0] == FRAME_CLOSE_STDIN)
        ev.kind = EV_CLOSE_STDIN;
      return ev;
    }
  if (c->hdr[0] == FRAME_STDIN)
    {
      n = read (c->fd, buf, c->left < cap ? c->left : cap);
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
        return (struct attach_event) { .kind = EV_GONE };
      if (n < 0)
        return ev;
      c->left -= (uint32_t) n;
      if (c->left == 0)
        c->hdr_len = 0;
      ev.kind = EV_STDIN;
      ev.len = (size_t) n;
      return ev;
    }
  n = read (c->fd, c->small + c->small_len, 4 - c->small_len);
  if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
    return (struct attach_event) { .kind = EV_GONE };
  if (n < 0)
    return ev;
  c->small_len += (size_t) n;
  if (c->small_len < 4)
    return ev;
  c->hdr_len = 0;
  ev.kind = EV_RESIZE;
  ev.rows = (unsigned short) (c->small[0] << 8 | c->small[1]);
  ev.cols = (unsigned short) (c->small[2] << 8 | c->small[3]);
  return ev;
}

bool attach_attached (const struct attach *at)
{
  for (int i = 0; i < ATTACH_MAX_CLIENTS; i++)
    if (at->clients[i].fd >= 0)
      return true;
  return false;
}

void attach_unlink (struct attach *at)
{
  if (at->listen_fd >= 0 && at->path)
    unlink (at->path);
  at->path = NULL;
}

void attach_close (struct attach *at)
{
  for (int i = 0; i < ATTACH_MAX_CLIENTS; i++)
    attach_drop (at, i);
  attach_unlink (at);
  if (at->listen_fd >= 0)
    {
      close (at->listen_fd);
      at->listen_fd = -1;
    }
}
