import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { ContainerRecord, ContainerState } from "./container-store.js";
import type { ContainerRootfs } from "./rootfs.js";

/** docker inspect's shape for a container, built from our record and state. */
export interface ContainerInspect {
  Id: string;
  Created: string;
  Path: string;
  Args: string[];
  State: {
    Status: string;
    Running: boolean;
    Paused: false;
    Restarting: false;
    OOMKilled: boolean;
    Dead: false;
    Pid: number;
    ExitCode: number;
    Error: string;
    StartedAt: string;
    FinishedAt: string;
  };
  Image: string;
  Name: string;
  RestartCount: number;
  Driver: "overlay2";
  LogPath: string;
  HostnamePath: string;
  HostsPath: string;
  ResolvConfPath: string;
  Config: Record<string, unknown>;
  HostConfig: Record<string, unknown>;
  GraphDriver: { Name: "overlay2"; Data: Record<string, string> };
  Mounts: { Type: "bind"; Source: string; Destination: string; RW: boolean }[];
}

const ZERO_TIME = "0001-01-01T00:00:00Z";

export function buildInspect(
  record: ContainerRecord,
  state: ContainerState,
  paths: { log: string; hosts: string; hostname: string; resolvConf: string; rootfs: ContainerRootfs },
  oomKilled: boolean,
): ContainerInspect {
  const command = [...record.config.entrypoint, ...record.config.cmd];
  const host = record.hostConfig;
  return {
    Id: record.id,
    Created: record.created,
    Path: command[0] ?? "",
    Args: command.slice(1),
    State: {
      Status: state.status,
      Running: state.running,
      Paused: false,
      Restarting: false,
      OOMKilled: oomKilled,
      Dead: false,
      Pid: state.pid,
      ExitCode: state.exitCode,
      Error: state.error ?? "",
      StartedAt: state.startedAt ?? ZERO_TIME,
      FinishedAt: state.finishedAt ?? ZERO_TIME,
    },
    Image: record.imageId,
    Name: `/${record.name}`,
    RestartCount: state.restartCount,
    Driver: "overlay2",
    LogPath: paths.log,
    HostnamePath: paths.hostname,
    HostsPath: paths.hosts,
    ResolvConfPath: paths.resolvConf,
    Config: {
      Hostname: record.config.hostname,
      User: record.config.user,
      Tty: record.config.tty,
      OpenStdin: record.config.openStdin,
      Env: record.config.env,
      Cmd: record.config.cmd,
      Image: record.imageRef,
      WorkingDir: record.config.workingDir,
      Entrypoint: record.config.entrypoint,
      Labels: record.config.labels,
      StopSignal: record.config.stopSignal,
      StopTimeout: record.config.stopTimeout,
    },
    HostConfig: {
      AutoRemove: host.autoRemove,
      Init: host.init,
      ReadonlyRootfs: host.readOnly,
      Privileged: host.privileged,
      NetworkMode: host.networkMode,
      Binds: host.binds.map((b) => `${b.source}:${b.target}${b.readOnly ? ":ro" : ""}`),
      Tmpfs: host.tmpfs,
      CapAdd: host.capAdd,
      CapDrop: host.capDrop,
      SecurityOpt: [
        ...(host.noNewPrivileges ? ["no-new-privileges"] : []),
        ...(host.seccomp === "unconfined" ? ["seccomp=unconfined"] : []),
      ],
      Memory: host.memory ?? 0,
      MemorySwap: host.memorySwap ?? (host.memory ? host.memory * 2 : 0),
      NanoCpus: host.cpus ? Math.round(host.cpus * 1e9) : 0,
      PidsLimit: host.pidsLimit ?? null,
      CgroupParent: host.cgroupParent,
    },
    GraphDriver: {
      Name: "overlay2",
      Data: {
        LowerDir: [...paths.rootfs.lowerDirs].reverse().join(":"),
        UpperDir: paths.rootfs.upperDir,
        WorkDir: paths.rootfs.workDir,
        MergedDir: paths.rootfs.mergedDir,
      },
    },
    Mounts: host.binds.map((b) => ({
      Type: "bind",
      Source: b.source,
      Destination: b.target,
      RW: !b.readOnly,
    })),
  };
}

export interface TopResult {
  titles: string[];
  processes: string[][];
}

/** `ps -ef` rows of the given host pids, as docker top shows them. */
export async function psOf(pids: readonly number[]): Promise<TopResult> {
  const titles = ["UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"];
  if (pids.length === 0) return { titles, processes: [] };
  const { stdout } = await promisify(execFile)("ps", [
    "-o",
    "user,pid,ppid,c,stime,tty,time,args",
    "-p",
    pids.join(","),
  ]);
  const rows = stdout
    .split("\n")
    .slice(1)
    .filter((line) => line.trim() !== "");
  const processes = rows.map((line) => {
    const fields = line.trim().split(/\s+/);
    return [...fields.slice(0, 7), fields.slice(7).join(" ")];
  });
  return { titles, processes };
}
