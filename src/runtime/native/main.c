/* tscompose-helper: the few things Node cannot do (namespaces, mounts, pivot_root, exec).
 * All policy comes from the spec that src/runtime/spec.ts writes; this program only executes it. */
#include <stdio.h>
#include <string.h>

#include "layer-fixups.h"

int run_main(int argc, char **argv);
int exec_main(int argc, char **argv);

int main(int argc, char **argv)
{
  if (argc >= 2 && strcmp(argv[1], "run") == 0)
    return run_main(argc, argv);
  if (argc >= 2 && strcmp(argv[1], "exec") == 0)
    return exec_main(argc, argv);
  if (argc >= 2 && strcmp(argv[1], "layer-fixups") == 0)
    return layer_fixups_main(argc, argv);
  fprintf(stderr, "usage: tscompose-helper run|exec|layer-fixups ...\n");
  return 2;
}
