import { describe, expect, it } from "vitest";
import { startProcess } from "../src/index.ts";

/** A node program given as source text. */
const program = (source: string) => ({ command: process.execPath, args: ["-e", source] });

describe("startProcess", () => {
  it("returns at once, reads both streams, and says when the process exits and when its pipes drain", async () => {
    const child = startProcess({
      ...program(`console.log("out"); console.error("err"); process.exit(4);`),
      env: {},
    });
    expect(child.child.pid).toBeGreaterThan(0);
    expect(await child.processExited).toBe(4);
    expect(await child.exited).toBe(4);
    expect(child.stdout()).toBe("out\n");
    expect(child.stderr()).toBe("err\n");
  });

  it("waitForStdout resolves with what is already there, and with what comes later", async () => {
    const child = startProcess({
      ...program(
        `console.log("first"); setTimeout(() => console.log("second"), 20);
         setInterval(() => {}, 1000);`,
      ),
      env: {},
    });
    try {
      await child.waitForStdout((out) => (out.includes("first") ? true : undefined));
      // Asked again once "first" is in: found without waiting for another chunk.
      expect(await child.waitForStdout((out) => out.match(/first/)?.[0])).toBe("first");
      expect(await child.waitForStdout((out) => out.match(/second/)?.[0])).toBe("second");
    } finally {
      await child.stop();
    }
  });

  it("waitForStdout rejects naming the child and quoting its stderr when it exits first", async () => {
    const child = startProcess({
      ...program(`console.error("bad variable"); process.exit(2);`),
      env: {},
      name: "thing",
    });
    await expect(child.waitForStdout(() => undefined)).rejects.toThrow(
      "thing exited with 2 before it was ready: bad variable\n",
    );
  });

  it("says that a program that does not exist could not start", async () => {
    const child = startProcess({ command: "/no/such/program", args: [], env: {}, name: "ghost" });
    await expect(child.waitForStdout(() => undefined)).rejects.toThrow(/^ghost spawn .*ENOENT/);
  });

  it("stop() sends one signal and resolves with the exit code, the same promise when called twice", async () => {
    const child = startProcess({
      ...program(
        `process.on("SIGTERM", () => process.exit(7)); console.log("up"); setInterval(() => {}, 1000);`,
      ),
      env: {},
    });
    await child.waitForStdout((out) => (out.includes("up") ? true : undefined));
    const first = child.stop();
    expect(child.stop()).toBe(first);
    expect(await first).toBe(7);
  });

  it("stop() kills a child that ignores its signal once killAfterMs has passed", async () => {
    const child = startProcess({
      ...program(
        `process.on("SIGTERM", () => {}); console.log("up"); setInterval(() => {}, 1000);`,
      ),
      env: {},
    });
    await child.waitForStdout((out) => (out.includes("up") ? true : undefined));
    expect(await child.stop("SIGTERM", 100)).toBeNull();
    expect(child.child.signalCode).toBe("SIGKILL");
  });

  it("stop() on a child that has already exited resolves with its code", async () => {
    const child = startProcess({ ...program(`process.exit(5);`), env: {} });
    await child.exited;
    expect(await child.stop()).toBe(5);
  });
});
