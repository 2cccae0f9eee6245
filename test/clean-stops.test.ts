import { type ChildProcess, spawn } from "node:child_process";
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, describe, expect, it } from "vitest";

// A clean stop looks like one: Ctrl-C on `pnpm dev` / `pnpm turbo dev` (a terminal signals its
// whole foreground process group) and a SIGTERM to the pnpm running `start:prod` (what a process
// manager sends) end with exit 0, every server closed, and no pnpm or turbo error line. What makes
// it so is workspace-wide: pnpm-workspace.yaml's shellEmulator, the root `turbo` script and the dev
// entries' signal handling.

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** What pnpm or turbo print when a task they ran did not end well. */
const FAILURE_LINES =
  /ELIFECYCLE|ERR_PNPM|Command failed|Exit status|Force killed|Failed:|exited \(\d+\)/;

/**
 * The environment of a command a developer types: this process's, without what pnpm, turbo and
 * vitest add and without the apps' own variables (each test sets those), plus `extra`.
 */
function userEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value === undefined) continue;
    if (/^(npm_|pnpm_|TURBO_|VITEST|AUTHACTION_|API_|ISSUER_|METRICS_)/i.test(name)) continue;
    if (["NODE_ENV", "TEST", "PORT", "HOST", "LOG_LEVEL", "DOTENV_PATH"].includes(name)) continue;
    env[name] = value;
  }
  return { ...env, ...extra };
}

/** A port nothing listens on right now (the dev tasks need ports they are told in advance). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Whether something accepts connections on 127.0.0.1:`port`. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** How long the output of a command that has exited may still come (see startSession). */
const OUTLIVED_MS = 3_000;

interface Session {
  readonly child: ChildProcess;
  output(): string;
  /** Resolves once `found` holds for the output so far; rejects if the process ends first. */
  waitFor(found: (output: string) => boolean, what: string, timeoutMs: number): Promise<void>;
  /** The exit code (a signal's name when killed by one). */
  readonly exited: Promise<number | string | null>;
}

const sessions: Session[] = [];

/** `command` in a session (and process group) of its own, as a terminal starts a command. */
function startSession(command: string, args: string[], cwd: string, env: Record<string, string>) {
  const child = spawn(command, args, {
    cwd,
    env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const waiters = new Set<() => void>();
  const take = (data: string) => {
    output += data;
    for (const waiter of waiters) waiter();
  };
  child.stdout?.setEncoding("utf8").on("data", take);
  child.stderr?.setEncoding("utf8").on("data", take);
  // The exit, then the end of its output: the pipes close once nothing the command started still
  // holds them, or, if something outlived it (what a shell dying of a signal leaves), soon after.
  const closed = new Promise<void>((resolve) => child.on("close", () => resolve()));
  const exited = new Promise<number | string | null>((resolve) =>
    child.on("exit", (code, signal) => {
      const outlived = setTimeout(resolve, OUTLIVED_MS, code ?? signal);
      void closed.then(() => {
        clearTimeout(outlived);
        resolve(code ?? signal);
      });
    }),
  );
  const session: Session = {
    child,
    output: () => output,
    exited,
    waitFor: (found, what, timeoutMs) =>
      new Promise<void>((resolve, reject) => {
        const done = (error?: Error) => {
          clearTimeout(timer);
          waiters.delete(check);
          if (error === undefined) resolve();
          else reject(error);
        };
        const check = () => {
          if (found(output)) done();
        };
        const timer = setTimeout(
          () => done(new Error(`no ${what} within ${timeoutMs} ms:\n${output}`)),
          timeoutMs,
        );
        void exited.then((code) => done(new Error(`ended (${code}) before ${what}:\n${output}`)));
        waiters.add(check);
        check();
      }),
  };
  sessions.push(session);
  return session;
}

/**
 * After a failed test, whatever its session still runs: turbo starts each task in a process group
 * of its own, so the session, not the group, is what holds them all (found through /proc).
 */
function killSession(pid: number): void {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // Fields after the command's closing parenthesis: state, ppid, pgrp, session.
      const session = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[3]);
      if (session === pid) process.kill(Number(entry), "SIGKILL");
    } catch {
      // Gone meanwhile.
    }
  }
}

afterEach(() => {
  for (const session of sessions.splice(0)) {
    if (session.child.pid !== undefined) killSession(session.child.pid);
  }
});

const temporary: string[] = [];
afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

/**
 * A copy of a runnable workspace as `pnpm build` leaves it (its package.json and a fresh build in
 * dist/), with the repository's pnpm-workspace.yaml, so pnpm runs its scripts with the
 * repository's settings. Inside the package's node_modules, so its npm dependencies resolve; never
 * its own dist/, which a concurrent `pnpm build` may be cleaning.
 */
async function builtCopy(packageDir: string): Promise<string> {
  const cache = join(ROOT, packageDir, "node_modules", ".cache");
  mkdirSync(cache, { recursive: true });
  const copy = mkdtempSync(join(cache, "start-prod-"));
  temporary.push(copy);
  copyFileSync(join(ROOT, packageDir, "package.json"), join(copy, "package.json"));
  copyFileSync(join(ROOT, "pnpm-workspace.yaml"), join(copy, "pnpm-workspace.yaml"));
  const tsdown = join(ROOT, packageDir, "node_modules", ".bin", "tsdown");
  const build = startSession(
    tsdown,
    ["--out-dir", join(copy, "dist"), "--log-level", "error"],
    join(ROOT, packageDir),
    userEnv({}),
  );
  const code = await build.exited;
  if (code !== 0) throw new Error(`tsdown exited ${code}: ${build.output()}`);
  return copy;
}

describe("SIGTERM to the pnpm running start:prod", () => {
  it("@repo/api: the api shuts down, logs stopped, and pnpm exits 0 with no error line", async () => {
    const copy = await builtCopy("apps/api");
    // A tenant whose keys cannot be fetched and a database that does not answer: the api starts
    // all the same (the key set is not warmed; the database is retried in the background).
    const nowhere = await freePort();
    const pnpm = startSession("pnpm", ["--filter", "@repo/api", "start:prod"], copy, {
      ...userEnv({
        PORT: "0",
        HOST: "127.0.0.1",
        AUTHACTION_ISSUER: `http://127.0.0.1:${nowhere}`,
        AUTHACTION_AUDIENCE: "https://api.example.com",
        DATABASE_URL: `postgres://api:unused@127.0.0.1:${nowhere}/api`,
      }),
    });
    await pnpm.waitFor((out) => out.includes('"event":"listening"'), "listening line", 30_000);
    const port = Number(/"url":"http:\/\/127\.0\.0\.1:(\d+)"/.exec(pnpm.output())?.[1]);
    expect(await listening(port)).toBe(true);

    pnpm.child.kill("SIGTERM");
    expect(await pnpm.exited, pnpm.output()).toBe(0);
    expect(pnpm.output()).toContain('"event":"stopped"');
    expect(pnpm.output()).not.toMatch(FAILURE_LINES);
    // The api itself stopped, rather than being left behind by a shell that died.
    expect(await listening(port)).toBe(false);
  }, 90_000);

  it("@repo/issuer: the issuer closes and pnpm exits 0 with no error line", async () => {
    const copy = await builtCopy("packages/issuer");
    const pnpm = startSession(
      "pnpm",
      ["--filter", "@repo/issuer", "start:prod"],
      copy,
      userEnv({ ISSUER_PORT: "0" }),
    );
    await pnpm.waitFor((out) => out.includes("  admin "), "issuer banner", 30_000);
    const port = Number(/url\s+http:\/\/127\.0\.0\.1:(\d+)/.exec(pnpm.output())?.[1]);
    expect(await listening(port)).toBe(true);

    pnpm.child.kill("SIGTERM");
    expect(await pnpm.exited, pnpm.output()).toBe(0);
    expect(pnpm.output()).toContain("[issuer] SIGTERM: closing");
    expect(pnpm.output()).not.toMatch(FAILURE_LINES);
    expect(await listening(port)).toBe(false);
  }, 90_000);
});

describe("Ctrl-C on the development tasks", () => {
  // No developer's .env: the dev tasks fall back to the local issuer, as on a fresh clone.
  const envDir = mkdtempSync(join(tmpdir(), "clean-stops-"));
  temporary.push(envDir);
  const emptyDotEnv = join(envDir, ".env");
  writeFileSync(emptyDotEnv, "");

  it.each([
    ["pnpm dev", ["dev"]],
    ["pnpm turbo dev", ["turbo", "dev"]],
  ])(
    "%s: the issuer, the api and the client stop and the command exits 0 with no pnpm or turbo error line",
    async (_, args) => {
      const [apiPort, issuerPort] = [await freePort(), await freePort()];
      const dev = startSession(
        "pnpm",
        args,
        ROOT,
        userEnv({
          PORT: String(apiPort),
          ISSUER_PORT: String(issuerPort),
          API_URL: `http://localhost:${apiPort}`,
          DOTENV_PATH: emptyDotEnv,
        }),
      );
      // Every task up, and the client through one run.
      await dev.waitFor(
        (out) =>
          out.includes("LOCAL ISSUER") &&
          out.includes("INFO: api listening on") &&
          out.includes("client: done;"),
        "client run",
        120_000,
      );
      expect(await listening(apiPort)).toBe(true);
      expect(await listening(issuerPort)).toBe(true);

      // What a terminal does on Ctrl-C: SIGINT to the foreground process group.
      process.kill(-(dev.child.pid as number), "SIGINT");
      expect(await dev.exited, dev.output()).toBe(0);
      expect(dev.output()).not.toMatch(FAILURE_LINES);
      expect(dev.output()).toContain("[issuer] SIGINT: closing");
      expect(dev.output()).toMatch(/INFO: stopped/);
      // turbo has waited for its tasks; their servers are closed, or about to be.
      await expect.poll(() => listening(apiPort), { timeout: 5_000 }).toBe(false);
      await expect.poll(() => listening(issuerPort), { timeout: 5_000 }).toBe(false);
    },
    180_000,
  );
});
