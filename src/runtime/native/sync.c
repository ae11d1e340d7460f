/* Messages on the parent/child sync socket (see sync.h). */
#include "sync.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int sync_send (int sock, char type)
{
  return write_all (sock, &type, 1);
}

void sync_send_error (int sock, const struct err *err)
{
  char type = 'E';
  if (write_all (sock, &type, 1) == 0)
    (void) write_all (sock, err, sizeof *err);
}

int sync_recv (int sock, int *fd, struct err *payload)
{
  char type;
  struct iovec iov = { .iov_base = &type, .iov_len = 1 };
  union
  {
    char buf[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } control;
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                        .msg_controllen = sizeof control.buf };
  ssize_t n;
  do
    n = recvmsg (sock, &msg, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return -1;
  if (n == 0)
    return 0;
  struct cmsghdr *cmsg = CMSG_FIRSTHDR (&msg);
  if (cmsg && cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS && fd)
    memcpy (fd, CMSG_DATA (cmsg), sizeof *fd);
  if (type == 'E')
    {
      memset (payload, 0, sizeof *payload);
      if (read_full (sock, payload, sizeof *payload) != (ssize_t) sizeof *payload)
        return -1;
      payload->msg[sizeof payload->msg - 1] = '\0';
      payload->kind[sizeof payload->kind - 1] = '\0';
    }
  return (unsigned char) type;
}
