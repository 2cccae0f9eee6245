import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";

export type DirectoryLock =
  | { readonly held: true; release(): void }
  | { readonly held: false; readonly holderPid: number };

/**
 * Take `<dir>.lock` (beside the directory, not in it) for this process: a file holding our pid,
 * created exclusively. A lock whose process is gone (killed, crashed) is taken over. Two processes must never open one PGlite data
 * directory: each would overwrite the other's files.
 */
export function lockDirectory(dir: string): DirectoryLock {
  const path = `${dir}.lock`;
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const fd = openSync(path, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return { held: true, release: () => rmSync(path, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holderPid = Number(readFileSync(path, "utf8").trim());
      if (Number.isSafeInteger(holderPid) && holderPid > 0 && isAlive(holderPid)) {
        return { held: false, holderPid };
      }
      rmSync(path, { force: true });
    }
  }
  throw new Error(`could not take the lock ${path}`);
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
