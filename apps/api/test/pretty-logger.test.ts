import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type LocalIssuer, startLocalIssuer } from "@repo/issuer";
import { spawnReady } from "@repo/process";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createPrettyApiLogger } from "../src/pretty-logger.ts";
import { buildApi } from "./support/build-api.ts";
import { spawnApi } from "./support/start-stack.ts";

// Development (`pnpm dev` runs src/dev.ts) logs readable lines; production (src/main.ts, built
// into dist/main.js for start:prod and the image) logs JSON lines, and its bundle has no
// pino-pretty in it.

const apiDir = fileURLToPath(new URL("..", import.meta.url));
const PRETTY_LINE = /^\[\d{2}:\d{2}:\d{2}\.\d{3}\] (TRACE|DEBUG|INFO|WARN|ERROR|FATAL): \S/;

const isJson = (line: string): boolean => {
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
};
const linesOf = (text: string): string[] => text.split("\n").filter((line) => line !== "");

let issuer: LocalIssuer;
beforeAll(async () => {
  issuer = await startLocalIssuer();
});
afterAll(async () => {
  await issuer.close();
});

const tenant = () => ({
  AUTHACTION_ISSUER: issuer.issuer,
  AUTHACTION_AUDIENCE: issuer.audience,
  AUTHACTION_JWKS_URI: issuer.jwksUri,
});

describe("createPrettyApiLogger", () => {
  it("writes one readable line per entry (time, level, message, then the fields) and redacts an authorization header as production does", () => {
    const written: string[] = [];
    const write = vi
      .spyOn(process.stdout, "write")
      .mockImplementation((chunk: string | Uint8Array) => {
        written.push(String(chunk));
        return true;
      });
    try {
      const { log } = createPrettyApiLogger("info");
      log.info({ event: "example", authorization: "Bearer abc.def.ghi" }, "something happened");
      log.debug("below the level");
    } finally {
      write.mockRestore();
    }
    expect(written).toHaveLength(1);
    const [line = ""] = written;
    expect(line).toMatch(PRETTY_LINE);
    expect(line).toContain(
      'INFO: something happened {"event":"example","authorization":"[redacted]"}',
    );
    expect(line).not.toContain("abc.def.ghi");
    expect(line.endsWith("\n")).toBe(true);
    expect(line.slice(0, -1)).not.toContain("\n");
  });
});

describe("the api's entry points", () => {
  it("the development entry (src/dev.ts, what pnpm dev runs) logs readable lines, not JSON, and a SIGTERM still ends it with exit 0", async () => {
    const api = await spawnReady({
      command: process.execPath,
      args: ["--import", "tsx", "src/dev.ts"],
      cwd: apiDir,
      env: {
        PATH: process.env.PATH ?? "",
        NODE_ENV: "test",
        PORT: "0",
        HOST: "127.0.0.1",
        ...tenant(),
      },
      name: "api (dev.ts)",
      ready: (stdout) => (stdout.includes("INFO: api listening on") ? true : undefined),
    });
    const code = await api.stop("SIGTERM");
    const lines = linesOf(api.stdout());
    expect(code, api.stderr()).toBe(0);
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const line of lines) {
      expect(line).toMatch(PRETTY_LINE);
      expect(isJson(line)).toBe(false);
    }
    expect(lines.find((line) => line.includes("INFO: api listening on 127.0.0.1:"))).toContain(
      '"event":"listening"',
    );
    expect(lines.some((line) => /INFO: stopped \{"event":"stopped"\}$/.test(line))).toBe(true);
  });

  it("the production entry (src/main.ts) logs JSON lines, one object per line", async () => {
    const api = await spawnApi(tenant());
    await api.close();
    const lines = linesOf(api.rawLogs());
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const line of lines) {
      const entry = JSON.parse(line) as Record<string, unknown>;
      expect(entry).toMatchObject({ service: "api", level: expect.any(Number) });
      expect(typeof entry.msg).toBe("string");
    }
    expect(lines.some((line) => line.includes('"event":"stopped"'))).toBe(true);
  });

  describe("the production bundle (what pnpm build writes to dist/main.js)", () => {
    // Inside the package, so that its npm dependencies resolve as they do for dist/.
    const cache = join(apiDir, "node_modules", ".cache");
    mkdirSync(cache, { recursive: true });
    const outDir = mkdtempSync(join(cache, "built-api-logs-"));
    afterAll(() => rmSync(outDir, { recursive: true, force: true }));

    it("holds pino but not pino-pretty: development's readable logs never reach production", async () => {
      await buildApi(outDir);
      const { sources } = JSON.parse(readFileSync(join(outDir, "main.js.map"), "utf8")) as {
        sources: string[];
      };
      expect(sources.some((source) => /\/pino@[^/]+\/node_modules\/pino\//.test(source))).toBe(
        true,
      );
      expect(sources.filter((source) => source.includes("pino-pretty"))).toEqual([]);
      expect(sources.filter((source) => source.endsWith("pretty-logger.ts"))).toEqual([]);
      expect(readFileSync(join(outDir, "main.js"), "utf8")).not.toContain("prettyFactory");
    }, 60_000);
  });
});
