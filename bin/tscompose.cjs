#!/usr/bin/env -S -u NODE_EXTRA_CA_CERTS node
"use strict";
// The tscompose command. It runs the one-file bundle of the CLI (dist/tscompose.cjs, made by
// scripts/build-bundle.mjs) compiled from V8's code cache (dist/tscompose.cjs.cache), so that a command
// pays neither for resolving and compiling a hundred ES modules nor for code it never runs.
// The shebang drops NODE_EXTRA_CA_CERTS: Node 20 parses the whole root store at start-up when it is set
// (70 ms a command here), and tscompose opens no TLS connection of its own.
const { readFileSync } = require("node:fs");
const { wrap } = require("node:module");
const { dirname, join } = require("node:path");
const { Script } = require("node:vm");

const bundle = join(__dirname, "..", "dist", "tscompose.cjs");

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

function readCache() {
  try {
    return readFileSync(`${bundle}.cache`);
  } catch {
    // No cache (a build without one): V8 compiles the bundle from source.
    return undefined;
  }
}

if (require.main === module) {
  const compiled = compileBundle(readCache()).runInThisContext();
  const exported = { exports: {} };
  compiled.call(exported.exports, exported.exports, require, exported, bundle, dirname(bundle));
} else {
  module.exports = { bundle, compileBundle };
}
