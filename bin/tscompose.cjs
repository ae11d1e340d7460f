#!/usr/bin/env -S -u NODE_EXTRA_CA_CERTS node --
"use strict";
// The tscompose command. It runs the one-file bundle of the CLI (dist/tscompose.cjs, made by
// scripts/build-bundle.mjs) compiled from V8's code cache (dist/tscompose.cjs.cache), so that a command
// pays neither for resolving and compiling a hundred ES modules nor for code it never runs.
// The shebang drops NODE_EXTRA_CA_CERTS: Node 20 parses the whole root store at start-up when it is set
// (70 ms a command here), and tscompose opens no TLS connection of its own. Its `--` keeps Node 20 from
// taking a `--env-file` of ours for its own (nodejs/node#54232).
//
// The cache learns. The build writes the compiled top level only; the first time a command succeeds with
// a new set of options (`container run --rm`, `image ls`...), its exit writes the cache again, now holding
// every function that run compiled as well, so later runs compile none of them. The cache file starts
// with one JSON line naming what it has learnt. A cache V8 rejects (another Node) is rewritten the same way.
const { readFileSync, renameSync, unlinkSync, writeFileSync } = require("node:fs");
const { wrap } = require("node:module");
const { dirname, join } = require("node:path");
const { Script } = require("node:vm");

const bundle = join(__dirname, "..", "dist", "tscompose.cjs");
const cacheFile = `${bundle}.cache`;

/** The bundle as a compiled CommonJS module function; build-bundle.mjs writes the cache from the same call. */
function compileBundle(cachedData) {
  let source;
  try {
    source = readFileSync(bundle, "utf8");
  } catch {
    process.stderr.write(`error: ${bundle} is missing\nhint: build tscompose with \`npm run build\`\n`);
    process.exit(1);
  }
  return new Script(wrap(source), { filename: bundle, cachedData });
}

/** The cache file's contents: the commands it has learnt and V8's data. */
function encodeCache(commands, data) {
  return Buffer.concat([Buffer.from(`${JSON.stringify({ commands })}\n`), data]);
}

function readCache() {
  let file;
  try {
    file = readFileSync(cacheFile);
  } catch {
    // No cache (a build without one): V8 compiles the bundle from source.
    return { commands: [], data: undefined };
  }
  const newline = file.indexOf(10);
  try {
    const { commands } = JSON.parse(file.subarray(0, newline).toString());
    if (Array.isArray(commands)) return { commands, data: file.subarray(newline + 1) };
  } catch {
    // A cache from before the header, or damaged: treated as none, and rewritten.
  }
  return { commands: [], data: undefined };
}

/** Writes the cache again, through a temporary file, when this run compiled code the cache lacked. */
function learn(script, cache, command) {
  const rejected = cache.data === undefined || script.cachedDataRejected === true;
  if (command === undefined || (!rejected && cache.commands.includes(command))) return;
  const commands = rejected ? [command] : [...cache.commands, command];
  const temporary = `${cacheFile}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, encodeCache(commands, script.createCachedData()));
    renameSync(temporary, cacheFile);
  } catch {
    // A read-only install keeps the cache it has.
    try {
      unlinkSync(temporary);
    } catch {
      // Never written.
    }
  }
}

if (require.main === module) {
  const cache = readCache();
  const script = compileBundle(cache.data);
  const compiled = script.runInThisContext();
  const exported = { exports: {} };
  compiled.call(exported.exports, exported.exports, require, exported, bundle, dirname(bundle));
  // A failed command may have stopped before its usual path: only a successful one teaches the cache.
  process.once("exit", (code) => {
    if (code === 0) learn(script, cache, exported.exports.invokedCommand?.());
  });
} else {
  module.exports = { bundle, cacheFile, compileBundle, encodeCache };
}
