import { execFileSync, spawn } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { startTestPostgres, type TestPostgres } from "@repo/db/testing";
import { type LocalIssuer, startLocalIssuer } from "@repo/issuer";
import { afterAll, describe, expect, it } from "vitest";
import { argsOf, envOf, parseDockerfile, type Stage } from "./support/dockerfile.ts";
import { type SpawnedApi, spawnApi } from "./support/start-stack.ts";

const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));
const stages = parseDockerfile(readFileSync(join(repoRoot, "apps/api/Dockerfile"), "utf8"));
const build = stages.find((stage) => stage.name === "build") as Stage;
const final = stages.at(-1) as Stage;

describe("apps/api/Dockerfile", () => {
  it("has a build stage and a final node:24-slim stage that runs as non-root, exposes 3000, checks /healthz and stops on SIGTERM", () => {
    expect(build).toBeDefined();
    expect(final).not.toBe(build);
    expect(final.image).toBe("node:24-slim");
    const [user] = argsOf(final, "USER");
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    expect(argsOf(final, "EXPOSE")).toEqual(["3000"]);
    expect(envOf(final)).toMatchObject({ NODE_ENV: "production", PORT: "3000" });
    expect(argsOf(final, "STOPSIGNAL")).toEqual(["SIGTERM"]);
    expect(argsOf(final, "HEALTHCHECK").join()).toContain("/healthz");
    expect(JSON.parse(argsOf(final, "CMD")[0] ?? "[]")).toEqual([
      "node",
      "--enable-source-maps",
      "dist/main.js",
    ]);
    // The pnpm the image installs is the one the repository pins.
    const pinned = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")).packageManager;
    expect(argsOf(build, "RUN")).toContain(`npm install -g ${pinned}`);
  });

  it("copies every workspace's manifest and the lockfile before installing, and the sources only after", () => {
    const steps = build.instructions.map(({ keyword, args }) => `${keyword} ${args}`);
    const install = steps.findIndex((step) => /^RUN pnpm install /.test(step));
    const sources = steps.indexOf("COPY . .");
    expect(install).toBeGreaterThan(0);
    expect(sources).toBeGreaterThan(install);
    const copiedFirst = steps
      .slice(0, install)
      .filter((step) => step.startsWith("COPY "))
      .flatMap((step) => {
        const [destination = "", ...files] = step.slice("COPY ".length).split(/\s+/).reverse();
        return files.map((file) => join(destination, basename(file)));
      });
    const manifests = execFileSync("git", ["ls-files", "package.json", "*/package.json"], {
      cwd: repoRoot,
      encoding: "utf8",
    })
      .split("\n")
      .filter((file) => file !== "");
    for (const file of [...manifests, "pnpm-lock.yaml", "pnpm-workspace.yaml"]) {
      expect(copiedFirst, `${file} copied before the install`).toContain(file);
    }
  });

  describe("its build stage, run outside a container", () => {
    const work = mkdtempSync(join(tmpdir(), "api-image-"));
    const cleanups: string[] = [work];
    let issuer: LocalIssuer | undefined;
    let postgres: TestPostgres | undefined;
    let api: SpawnedApi | undefined;
    afterAll(async () => {
      await api?.close();
      await issuer?.close();
      await postgres?.close();
      for (const dir of cleanups) rmSync(dir, { recursive: true, force: true });
    });

    it("builds, from manifests first and sources after, an image of one bundled file that plain node starts and that answers /public and /protected with a real token, and stores a message in Postgres", async () => {
      const workdir = argsOf(build, "WORKDIR")[0] ?? "/";
      const inCopy = (path: string) =>
        path.replace(new RegExp(`^${workdir}(?=/|$)`), work).replace(/^(?!\/)/, `${work}/`);
      const contextFiles = buildContextFiles(repoRoot);
      // The build stage's environment, not the test runner's: no NODE_ENV=test from vitest, no
      // npm_config_* / PNPM_* from the `pnpm run` this test may be running under.
      const inherited = Object.fromEntries(
        Object.entries(process.env).filter(
          ([name]) => !/^(npm_|pnpm_|PNPM_|NODE_ENV$|DOTENV_PATH$|VITEST)/i.test(name),
        ),
      );
      const env: NodeJS.ProcessEnv = { ...inherited, ...envOf(build) };
      // Node's official binaries trust only the CAs they bundle, Debian's the system store: behind a
      // TLS-intercepting proxy the steps' registry requests fail on one line and not the other
      // unless the system store is named (as this machine's environment does).
      if (env.NODE_EXTRA_CA_CERTS === undefined && existsSync(SYSTEM_CA_BUNDLE)) {
        env.NODE_EXTRA_CA_CERTS = SYSTEM_CA_BUNDLE;
      }
      // The stage's COPY and RUN lines in order, so the install runs with the manifests alone, as
      // its cached layer would.
      mkdirSync(work, { recursive: true });
      for (const { keyword, args } of build.instructions) {
        if (keyword === "COPY") {
          const [destination = ".", ...sources] = args.split(/\s+/).reverse();
          for (const source of sources.reverse()) {
            copyFromContext(repoRoot, contextFiles, source, inCopy(destination));
          }
        } else if (keyword === "RUN") {
          // Installing pnpm globally is the image's business; the version is checked above.
          if (args.startsWith("npm install -g pnpm@")) continue;
          await runOnceMore(args, work, env);
        }
      }

      // What the final stage copies from the build stage, and nothing else.
      const image = mkdtempSync(join(tmpdir(), "api-image-final-"));
      cleanups.push(image);
      for (const args of argsOf(final, "COPY")) {
        const [from, source = "", destination = ""] = args.split(/\s+/);
        expect(from).toBe("--from=build");
        const built = inCopy(source);
        const into =
          statSync(built).isFile() && destination.endsWith("/")
            ? join(image, destination, basename(source))
            : join(image, destination);
        cpSync(built, into, { recursive: true });
      }
      // One bundled file, its source map and the manifest that makes it an ES module: no
      // node_modules, so no typescript, fastify, express, hono, @types or build tools.
      expect(listTree(image)).toEqual(["dist/main.js", "dist/main.js.map", "package.json"]);
      expect(treeBytes(image)).toBeLessThanOrEqual(25 * 1024 * 1024);

      [issuer, postgres] = await Promise.all([startLocalIssuer(), startTestPostgres()]);
      const [, ...args] = JSON.parse(argsOf(final, "CMD")[0] ?? "[]") as string[];
      // The image's own environment and nothing else (no NODE_ENV unless the image sets one).
      api = await spawnApi(
        {
          NODE_ENV: undefined,
          ...envOf(final),
          PORT: "0",
          HOST: "127.0.0.1",
          AUTHACTION_ISSUER: issuer.issuer,
          AUTHACTION_AUDIENCE: issuer.audience,
          DATABASE_URL: postgres.url,
        },
        { args, cwd: image },
      );
      const publicResponse = await fetch(`${api.url}/public`);
      expect(publicResponse.status).toBe(200);
      expect(await publicResponse.json()).toEqual({ message: "This is a public message!" });

      const token = await fetch(issuer.tokenUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          client_id: "demo-client",
          client_secret: "demo-secret",
          audience: issuer.audience,
          grant_type: "client_credentials",
        }),
      }).then(
        async (response) => ((await response.json()) as { access_token: string }).access_token,
      );
      const protectedResponse = await fetch(`${api.url}/protected`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(protectedResponse.status).toBe(200);
      expect(await protectedResponse.json()).toEqual({
        message: "This is a protected message!",
        sub: "demo-client@clients",
      });
      // The bundled driver, Drizzle and the embedded migrations, against a real server (ready
      // once the database has answered and the migrations are applied).
      await expect
        .poll(async () => (await fetch(`${api?.url}/readyz`)).status, { timeout: 15_000 })
        .toBe(200);
      const stored = await fetch(`${api.url}/trpc/postMessage`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ text: "from the image" }),
      });
      expect(stored.status).toBe(200);
      expect(await stored.json()).toMatchObject({
        result: { data: { id: "1", text: "from the image" } },
      });
      const refused = await fetch(`${api.url}/protected`);
      expect(refused.status).toBe(401);
      expect(refused.headers.get("www-authenticate")).toBe(
        `Bearer realm="api", resource_metadata="${api.url}/.well-known/oauth-protected-resource"`,
      );

      // The image's HEALTHCHECK command, run as Docker would (exec form), against this api.
      const healthcheck = JSON.parse(
        (argsOf(final, "HEALTHCHECK")[0] ?? "").replace(/^.*?CMD\s+/, ""),
      ) as string[];
      const port = new URL(api.url).port;
      await run(healthcheck.map((part) => `'${part.replaceAll("'", `'\\''`)}'`).join(" "), image, {
        PATH: process.env.PATH ?? "",
        PORT: port,
      });
    }, 900_000);
  });
});

/** The build context as git sees it (tracked or untracked, never ignored), relative paths. */
function buildContextFiles(root: string): string[] {
  return execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: root,
    encoding: "utf8",
  })
    .split("\0")
    .filter((file) => file !== "" && existsSync(join(root, file)));
}

/** A COPY line's source (a file or `.`) from the build context into `destination`, a folder. */
function copyFromContext(
  root: string,
  files: readonly string[],
  source: string,
  destination: string,
): void {
  const wanted = source === "." ? files : files.filter((file) => file === source);
  expect(wanted.length, `COPY ${source}: not in the build context`).toBeGreaterThan(0);
  for (const file of wanted) {
    const target = join(destination, source === "." ? file : basename(file));
    mkdirSync(dirname(target), { recursive: true });
    cpSync(join(root, file), target);
  }
}

/** Every file under `dir`, relative, sorted. */
function listTree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

function treeBytes(dir: string): number {
  return listTree(dir).reduce((sum, file) => sum + statSync(join(dir, file)).size, 0);
}

/** Debian's (and Ubuntu's) bundle of the system's trusted CAs. */
const SYSTEM_CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt";

/** A build step that can take minutes on a loaded machine; one that hangs is stopped here. */
const STEP_LIMIT_MS = 120_000;

/**
 * Run a build step; if it hangs past STEP_LIMIT_MS, run it once more. pnpm itself has been seen to
 * stall indefinitely (idle, no I/O) when many processes share its store; a second attempt tells a
 * stall from a broken step, which fails both times with its output.
 */
async function runOnceMore(command: string, cwd: string, env: NodeJS.ProcessEnv): Promise<void> {
  try {
    await run(command, cwd, env, STEP_LIMIT_MS);
  } catch (error) {
    if (!(error instanceof StepTimeout)) throw error;
    await run(command, cwd, env, STEP_LIMIT_MS);
  }
}

class StepTimeout extends Error {}

function run(
  command: string,
  cwd: string,
  env: NodeJS.ProcessEnv,
  limitMs = STEP_LIMIT_MS,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("sh", ["-c", command], {
      cwd,
      env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    // The whole process group: `sh -c` would otherwise leave pnpm running.
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      reject(new StepTimeout(`${command} did not finish within ${limitMs} ms:\n${output}`));
    }, limitMs);
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`${command} exited with ${code}:\n${output}`));
    });
  });
}
