import { describe, expect, it } from "vitest";
import { spawnReady } from "../src/index.ts";

/** Whether a process with this pid exists (signal 0 only checks). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A node program given as source text. */
const program = (source: string) => ({ command: process.execPath, args: ["-e", source] });

describe("spawnReady", () => {
  it("resolves with what ready finds in stdout, and stop() ends the child with its exit code", async () => {
    const child = await spawnReady({
      ...program(
        `setTimeout(() => console.log("port=" + 4321), 50);
         process.on("SIGTERM", () => { console.log("bye"); process.exit(3); });
         setInterval(() => {}, 1000);`,
      ),
      env: { PATH: process.env.PATH },
      ready: (stdout) => /port=(\d+)/.exec(stdout)?.[1],
    });
    expect(child.ready).toBe("4321");
    expect(await child.stop()).toBe(3);
    expect(child.stdout()).toBe("port=4321\nbye\n");
  });

  it("gives the child exactly the variables it is given, leaving out undefined ones", async () => {
    const child = await spawnReady({
      ...program(`console.log(JSON.stringify(process.env)); setInterval(() => {}, 1000);`),
      env: { ONLY: "this", GONE: undefined },
      ready: (stdout) => (stdout.endsWith("\n") ? JSON.parse(stdout) : undefined),
    });
    await child.stop();
    expect(child.ready).toEqual({ ONLY: "this" });
  });

  it("rejects with the child's stderr when it exits before it is ready", async () => {
    await expect(
      spawnReady({
        ...program(`console.error("no config"); process.exit(1);`),
        env: {},
        name: "broken",
        ready: () => undefined,
      }),
    ).rejects.toThrow("broken exited with 1 before it was ready: no config\n");
  });

  it("kills a child that is not ready in time and says so", async () => {
    let pid: number | undefined;
    const started = spawnReady({
      ...program(`console.log(process.pid); setInterval(() => {}, 1000);`),
      env: {},
      name: "silent",
      // Long enough for the child to print its pid on a loaded machine.
      timeoutMs: 3_000,
      ready: (stdout) => {
        if (stdout.endsWith("\n")) pid = Number(stdout);
        return undefined;
      },
    });
    await expect(started).rejects.toThrow("silent was not ready within 3000 ms");
    expect(pid).toBeGreaterThan(0);
    // Gone: signalling the pid fails once the kill has landed.
    await expect.poll(() => isAlive(pid as number)).toBe(false);
  });
});
