import { describe, expect, it } from "vitest";
import { listeningAddress, spawnApi, spawnReady } from "../src/index.ts";

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
    const started = spawnReady({
      ...program(`setInterval(() => {}, 1000);`),
      env: {},
      name: "silent",
      timeoutMs: 200,
      ready: () => undefined,
    });
    await expect(started).rejects.toThrow("silent was not ready within 200 ms");
  });
});

describe("spawnApi", () => {
  it("starts the api's real entry point and finds its URL in the listening line", async () => {
    const api = await spawnApi({
      AUTHACTION_ISSUER: "http://127.0.0.1:9",
      AUTHACTION_AUDIENCE: "https://api.example.com",
    });
    try {
      expect(api.ready.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const response = await fetch(`${api.ready.url}/public`);
      expect(await response.json()).toEqual({ message: "This is a public message!" });
    } finally {
      expect(await api.stop()).toBe(0);
    }
  });

  it("reads the listening line only once it is whole", () => {
    const line = JSON.stringify({ event: "listening", url: "http://127.0.0.1:1" });
    expect(listeningAddress(line.slice(0, 20))).toBeUndefined();
    expect(listeningAddress(`{"event":"other"}\n${line}\n`)).toEqual({
      url: "http://127.0.0.1:1",
      metricsUrl: undefined,
    });
  });
});
