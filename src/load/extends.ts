import { basename, dirname, resolve } from "node:path";
import { TscError, type SourceLocation } from "../errors.js";
import type { FileContext } from "./index.js";
import { cloneLocated, isMapping, putLocated } from "./located.js";
import { mergeService } from "./merge.js";
import { rebaseService } from "./relative-paths.js";
import { copyLocations, locationOf, type Tree } from "./source.js";
import { suggest } from "./suggest.js";

/**
 * `extends` (compose-go loader/extends.go): a service starts from another service of the same file or of
 * another file, recursively, and its own keys are merged over it with the same rules as -f files. A base
 * from another file has its relative paths made absolute against that file's directory. `extends.file`
 * starts at the project directory for the project's own files (as compose-go's resource loader does) and
 * at the directory of the extended file for an extends inside it. Every key is inherited, depends_on,
 * links and volumes_from included (compose v2 dropped v1's exclusions); the resources they name must be
 * defined by the extending project.
 */

/** Where services are looked up and where a relative `extends.file` starts. */
interface Scope {
  file: string;
  dir: string;
  services: Tree;
}

interface Link {
  file: string;
  service: string;
}

/** Replaces every service that has `extends` with the merged result. */
export function applyExtends(tree: Tree, ctx: FileContext): Tree {
  const services = tree.services;
  if (!isMapping(services)) return tree;
  if (!Object.values(services).some((service) => isMapping(service) && "extends" in service)) return tree;
  const resolver = new ExtendsResolver(ctx);
  const scope: Scope = { file: ctx.file, dir: ctx.workingDir, services };
  const resolved: Tree = {};
  copyLocations(services, resolved);
  for (const name of Object.keys(services)) {
    putLocated(resolved, name, resolver.resolve(scope, name, []), locationOf(services, name));
  }
  const out: Tree = {};
  copyLocations(tree, out);
  for (const [key, value] of Object.entries(tree)) {
    putLocated(out, key, key === "services" ? resolved : value, locationOf(tree, key));
  }
  return out;
}

class ExtendsResolver {
  private readonly done = new Map<string, unknown>();

  constructor(private readonly ctx: FileContext) {}

  resolve(scope: Scope, name: string, chain: readonly Link[]): unknown {
    const key = `${scope.file}\0${name}`;
    if (this.done.has(key)) return this.done.get(key);
    const service = scope.services[name];
    if (!isMapping(service) || !("extends" in service)) return service;
    const here = [...chain, { file: scope.file, service: name }];
    const { target, base: baseScope, where } = this.reference(scope, name, service);
    if (here.some((link) => link.file === baseScope.file && link.service === target)) {
      const path = [...here, { file: baseScope.file, service: target }]
        .map((link) => this.label(link))
        .join(" -> ");
      throw new TscError("E_LOAD_EXTENDS_CYCLE", `services extend each other in a cycle: ${path}`, {
        where,
        hint: "remove `extends` from one of these services",
      });
    }
    const resolved = this.resolve(baseScope, target, here) ?? {};
    if (!isMapping(resolved)) {
      throw new TscError("E_LOAD_EXTENDS", `service "${name}" extends "${target}", which is not a mapping`, {
        where,
        hint: `define "${target}" as a mapping of service keys`,
      });
    }
    const base =
      baseScope.file === scope.file ? resolved : rebaseService(resolved, { dir: dirname(baseScope.file) });
    const own: Tree = {};
    copyLocations(service, own);
    for (const [k, v] of Object.entries(service))
      if (k !== "extends") putLocated(own, k, v, locationOf(service, k));
    const merged = mergeService(cloneLocated(base), own, name);
    this.done.set(key, merged);
    return merged;
  }

  /** The service named by `extends` and the scope it lives in. */
  private reference(scope: Scope, name: string, service: Tree) {
    const spec = service.extends;
    let target: unknown = spec;
    let file: unknown;
    let where = locationOf(service, "extends");
    if (isMapping(spec)) {
      target = spec.service;
      file = spec.file;
      where = locationOf(spec, "service");
    }
    if (typeof target !== "string" || target === "") {
      throw new TscError("E_LOAD_EXTENDS", `service "${name}": extends needs the name of a service`, {
        where,
        hint: "write `extends: other` or `extends: {service: other, file: other.yaml}`",
      });
    }
    if (file === undefined || file === null) {
      this.requireService(scope, target, name, where);
      return { target, base: scope, where };
    }
    if (typeof file !== "string") {
      throw new TscError("E_LOAD_EXTENDS", `service "${name}": extends.file must be a path`, {
        where: locationOf(spec, "file"),
        hint: "give the path of a compose file, relative to the project directory",
      });
    }
    const fileWhere = locationOf(spec, "file");
    const path = resolve(scope.dir, file);
    const tree = this.load(path, name, fileWhere);
    const services = isMapping(tree.services) ? tree.services : {};
    const base: Scope = { file: path, dir: dirname(path), services };
    this.requireService(base, target, name, where);
    return { target, base, where };
  }

  private load(path: string, name: string, where: SourceLocation | undefined): Tree {
    try {
      return this.ctx.loadFile(path);
    } catch (error) {
      if (TscError.is(error) && error.code === "E_LOAD_NOT_FOUND") {
        throw new TscError(
          "E_LOAD_EXTENDS",
          `service "${name}" extends a service of ${path}, which does not exist`,
          {
            where,
            hint: "fix extends.file: a relative path starts at the directory of the project (or of the extended file)",
          },
        );
      }
      throw error;
    }
  }

  private requireService(
    scope: Scope,
    target: string,
    name: string,
    where: SourceLocation | undefined,
  ): void {
    if (Object.hasOwn(scope.services, target)) return;
    const known = Object.keys(scope.services).sort();
    const guess = suggest(target, known);
    let hint = `${basename(scope.file)} defines no services; add "${target}" under services:`;
    if (known.length) hint = `services defined there: ${known.join(", ")}`;
    if (guess) hint = `did you mean "${guess}"? (${hint})`;
    throw new TscError(
      "E_LOAD_EXTENDS",
      `service "${name}" extends "${target}", which is not defined in ${scope.file}`,
      { where, hint },
    );
  }

  private label(link: Link): string {
    return link.file === this.ctx.file ? link.service : `${link.service} (${basename(link.file)})`;
  }
}
