/* `exec`: join a running container and run a process in it. */
#include <stdio.h>

int exec_main(int argc, char **argv)
{
  (void) argc;
  (void) argv;
  fprintf(stderr, "exec: not built yet\n");
  return 1;
}
