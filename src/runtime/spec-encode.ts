import { TscError } from "../errors.js";
import { capabilityMask } from "./capabilities.js";
import type { ContainerSpec, ExecSpec, SpecProcess } from "./spec.js";

/**
 * The helper's wire form of a spec (docs/native-errors.md): NUL-terminated strings, "tscompose-spec-1"
 * first, then records of a key and its fixed fields. NUL cannot occur in argv, env or paths, so nothing is
 * escaped; a NUL in a value is refused here.
 */

const MAGIC = "tscompose-spec-1";

class Writer {
  readonly fields: string[] = [MAGIC];
  put(key: string, ...values: (string | number)[]): void {
    for (const value of [key, ...values]) {
      const text = String(value);
      if (text.includes("\0")) {
        throw new TscError("E_CONTAINER_CONFIG", `${key} value ${JSON.stringify(text)} contains a NUL byte`, {
          hint: "arguments, environment and paths cannot contain NUL",
        });
      }
      this.fields.push(text);
    }
  }
  flag(key: string, on: boolean): void {
    if (on) this.put(key);
  }
  buffer(): Buffer {
    return Buffer.from(this.fields.join("\0") + "\0", "utf8");
  }
}

function putProcess(w: Writer, process: ExecSpec["process"] & Partial<SpecProcess>): void {
  for (const arg of process.args) w.put("arg", arg);
  for (const entry of process.env) w.put("env", entry);
  w.put("cwd", process.cwd);
  w.flag("mkcwd", process.createCwd);
  w.put("user", process.user.uid, process.user.gid);
  for (const group of process.user.groups) w.put("group", group);
  w.put("caps", capabilityMask(process.capabilities));
  w.flag("nnp", process.noNewPrivileges);
  w.flag("terminal", process.terminal);
  if (process.consoleSize) w.put("consize", process.consoleSize.rows, process.consoleSize.cols);
  w.flag("stdin", process.openStdin ?? false);
  w.flag("init", process.init ?? false);
  for (const r of process.rlimits ?? []) w.put("rlimit", r.name, r.soft, r.hard);
  if (process.seccomp) {
    w.flag("seccomp", true);
    for (const name of process.seccomp.deny) w.put("scdeny", name);
    for (const name of process.seccomp.nosys) w.put("scnosys", name);
    w.flag("scclone", process.seccomp.cloneNamespaces);
    for (const value of process.seccomp.personality) w.put("scpersona", value);
  }
}

/** The helper's wire form of a container spec. */
export function encodeSpec(spec: ContainerSpec): Buffer {
  const w = new Writer();
  putProcess(w, spec.process);
  w.put("hostname", spec.hostname);
  if (spec.network === "host") w.put("hostnet");
  else if (spec.network !== "new") w.put("netns", spec.network.path);
  for (const file of spec.cgroupJoinFiles) w.put("cgroup", file);
  if (spec.cloneIntoCgroup) w.put("cgroupinto", spec.cloneIntoCgroup);
  for (const dir of [...spec.root.lowerDirs].reverse()) w.put("lower", dir);
  w.put("upper", spec.root.upperDir);
  w.put("work", spec.root.workDir);
  w.put("merged", spec.root.mergedDir);
  w.flag("rootro", spec.root.readOnly);
  for (const m of spec.mounts)
    w.put("mount", m.type, m.source, m.target, m.flags.join(","), m.data.join(","));
  for (const d of spec.devices) w.put("device", d.path, d.type, d.major, d.minor, d.mode.toString(8));
  for (const l of spec.symlinks) w.put("symlink", l.target, l.path);
  for (const path of spec.maskedPaths) w.put("mask", path);
  for (const path of spec.readonlyPaths) w.put("readonly", path);
  w.put("log", spec.monitor.logPath);
  w.put("logmax", spec.monitor.logMaxBytes);
  w.put("logfiles", spec.monitor.logMaxFiles);
  w.put("exitfile", spec.monitor.exitStatusPath);
  if (spec.monitor.attachSocket) w.put("socket", spec.monitor.attachSocket);
  if (spec.monitor.waitAttachSeconds > 0) w.put("waitattach", spec.monitor.waitAttachSeconds);
  for (const arg of spec.monitor.onExit ?? []) w.put("onexit", arg);
  return w.buffer();
}

/** The helper's wire form of an exec spec. */
export function encodeExecSpec(spec: ExecSpec): Buffer {
  const w = new Writer();
  putProcess(w, spec.process);
  w.put("pid", spec.pid);
  for (const file of spec.cgroupJoinFiles) w.put("cgroup", file);
  if (spec.cloneIntoCgroup) w.put("cgroupinto", spec.cloneIntoCgroup);
  w.flag("detach", spec.detach);
  for (const key of spec.detachKeys) w.put("detachkey", key);
  return w.buffer();
}
