#!/usr/bin/env bash
# Quick start on a fresh Debian machine, as root: install, build, make a busybox image, render the example
# stack with `tscompose config`, then run containers from it on tscompose's own runtime.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends build-essential busybox-static ca-certificates >/dev/null
npm ci --no-audit --no-fund
tscompose() { bin/tscompose.cjs "$@"; }

# A busybox root filesystem from Debian's busybox-static, imported as busybox:latest.
rootfs=$(mktemp -d)
trap 'rm -rf "$rootfs" "$rootfs.tar"' EXIT
mkdir -p "$rootfs"/{bin,etc,tmp,proc,sys,dev,root}
cp /bin/busybox "$rootfs/bin/busybox"
for applet in $(/bin/busybox --list-full); do
  mkdir -p "$rootfs/$(dirname "$applet")"
  [ -e "$rootfs/$applet" ] || ln -s /bin/busybox "$rootfs/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$rootfs/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$rootfs/etc/group"
tar -C "$rootfs" -cf "$rootfs.tar" .
tscompose image import "$rootfs.tar" busybox:latest
tscompose image ls

echo "--- tscompose config (examples/hello/compose.yaml, canonical form)"
tscompose -f examples/hello/compose.yaml config

echo "--- a container from the stack's image"
tscompose container run --rm --hostname web busybox sh -c 'echo "hello from $(hostname), PID $$"'
id=$(tscompose container run -d --init --name hello-cache busybox sh -c 'while true; do date; sleep 1; done')
sleep 2
tscompose container logs --tail 2 hello-cache
tscompose container ls
tscompose container stop hello-cache
tscompose container rm "$id" >/dev/null
echo "done"
