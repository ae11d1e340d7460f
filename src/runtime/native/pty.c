/* pty allocation (runc safeAllocPty, setupConsole) and SCM_RIGHTS for the master. */
#include "pty.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "mounts.h"

int pty_open (int *master, int *slave, struct err *err)
{
  int m = open ("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (m < 0)
    return fail (err, errno, "open `/dev/ptmx`");
  int unlock = 0;
  if (ioctl (m, TIOCSPTLCK, &unlock) < 0)
    {
      int saved = errno;
      close (m);
      return fail (err, saved, "ioctl `TIOCSPTLCK`");
    }
  int s = ioctl (m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (s < 0)
    {
      int saved = errno;
      close (m);
      return fail (err, saved, "ioctl `TIOCGPTPEER`");
    }
  *master = m;
  *slave = s;
  return 0;
}

int pty_set_size (int fd, unsigned short rows, unsigned short cols, struct err *err)
{
  struct winsize size = { .ws_row = rows, .ws_col = cols };
  if (rows > 0 && cols > 0 && ioctl (fd, TIOCSWINSZ, &size) < 0)
    return fail (err, errno, "ioctl `TIOCSWINSZ`");
  return 0;
}

int pty_become_session (int slave, bool console, struct err *err)
{
  if (setsid () < 0)
    return fail (err, errno, "setsid");
  if (ioctl (slave, TIOCSCTTY, 0) < 0)
    return fail (err, errno, "ioctl `TIOCSCTTY`");
  for (int fd = 0; fd < 3; fd++)
    if (dup2 (slave, fd) < 0)
      return fail (err, errno, "dup2 `pty` to %d", fd);
  if (console)
    {
      cleanup_close int root = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
      cleanup_close int target = open_in_root (root, "/dev/console", O_PATH | O_NOFOLLOW, err);
      if (target < 0)
        return -1;
      struct fdpath from = fd_path (slave), to = fd_path (target);
      if (mount (from.s, to.s, NULL, MS_BIND, NULL) < 0)
        return fail (err, errno, "mount `pty` on `/dev/console`");
    }
  return 0;
}

int send_fd (int sock, int fd, struct err *err)
{
  char byte = 'F';
  struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
  union
  {
    char buf[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } control;
  memset (&control, 0, sizeof control);
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                        .msg_controllen = sizeof control.buf };
  struct cmsghdr *cmsg = CMSG_FIRSTHDR (&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN (sizeof (int));
  memcpy (CMSG_DATA (cmsg), &fd, sizeof fd);
  for (;;)
    {
      if (sendmsg (sock, &msg, MSG_NOSIGNAL) >= 0)
        return 0;
      if (errno != EINTR)
        return fail (err, errno, "sendmsg `pty master`");
    }
}
