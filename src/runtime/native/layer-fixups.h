#ifndef TSCOMPOSE_LAYER_FIXUPS_H
#define TSCOMPOSE_LAYER_FIXUPS_H

/*
 * `tscompose-helper layer-fixups <layerdir>`: what Node cannot do while the image store unpacks a layer
 * (src/image/store/fixups.ts writes the input). argv is the helper's own (main.c passes it on): argv[1] is
 * "layer-fixups", argv[2] the layer directory;
 * operations come on stdin, one a line, every path relative to the layer directory:
 *   w <path>                                                   overlay whiteout: char device 0/0
 *   o <dir>                                                    trusted.overlay.opaque=y ("." = the layer root)
 *   n <c|b|p> <mode octal> <major> <minor> <uid> <gid> <mtime> <path>   device node or fifo
 * Paths are resolved beneath the layer directory one component at a time with O_NOFOLLOW, never through a
 * symlink; `.`, `..` and empty components are refused. Returns 0, or 1 after printing
 * "layer-fixups: <syscall> `<path>`: <reason>" on stderr (2 for a usage error).
 */
int layer_fixups_main(int argc, char **argv);

#endif
