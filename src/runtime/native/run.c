/* `run`: create and start a container from a spec, then stay as its monitor. */
#include <stdio.h>

int run_main(int argc, char **argv)
{
  (void) argc;
  (void) argv;
  fprintf(stderr, "run: not built yet\n");
  return 1;
}
