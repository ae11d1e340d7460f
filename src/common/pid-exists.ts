import { isErrno } from "../errors.js";

/** Whether a process with this pid exists (kill(pid, 0)); EPERM means it does, as someone else's. */
export function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return !isErrno(error, "ESRCH");
  }
}
