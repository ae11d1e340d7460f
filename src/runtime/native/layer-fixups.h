/* Owned by R2 (image store): created by R1 only so main.c builds before R2's file lands. */
#ifndef TSC_LAYER_FIXUPS_H
#define TSC_LAYER_FIXUPS_H

int layer_fixups_main(int argc, char **argv);

#endif
