// Bundles the CLI (dist/cli/bin.js, the tsc output, and every module it imports, dependencies included)
// into one CommonJS file, dist/tscompose.cjs, and writes V8's code cache for it, which bin/tscompose.cjs
// compiles the bundle from. Dynamic import() stays lazy inside the bundle (esbuild runs such a module's
// body on its first import), so a command evaluates only what it uses.
import { renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { build } from "esbuild";

const require = createRequire(import.meta.url);
const { bundle, cacheFile, compileBundle, encodeCache } = require("../bin/tscompose.cjs");

await build({
  entryPoints: ["dist/cli/bin.js"],
  outfile: `${bundle}.tmp`,
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  // The modules find the package's own files from their location (common/package-paths.ts).
  define: { "import.meta.url": "__tscomposeBundleUrl" },
  banner: { js: 'const __tscomposeBundleUrl = require("node:url").pathToFileURL(__filename).href;' },
  logLevel: "warning",
});
renameSync(`${bundle}.tmp`, bundle);
// The cache of the compiled top level, which has learnt no command yet (see bin/tscompose.cjs).
writeFileSync(`${cacheFile}.tmp`, encodeCache([], compileBundle().createCachedData()));
renameSync(`${cacheFile}.tmp`, cacheFile);
