import { execFileSync, spawn } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
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

  describe("its build stage, run outside a container", () => {
    const work = mkdtempSync(join(tmpdir(), "api-image-"));
    let issuer: LocalIssuer | undefined;
    let api: SpawnedApi | undefined;
    afterAll(async () => {
      await api?.close();
      await issuer?.close();
      rmSync(work, { recursive: true, force: true });
    });

    // On both Node lines CI runs. (On Node 24 this once stalled under `pnpm test` only: the deploy
    // step asks the registry for metadata, and turbo's strict environment dropped
    // NODE_EXTRA_CA_CERTS, which a TLS-intercepting proxy needs; turbo.json now passes it through.)
    it("installs, builds and deploys an api that plain node starts and that answers /public and /protected with a real token", async () => {
      const workdir = argsOf(build, "WORKDIR")[0] ?? "/";
      const inCopy = (path: string) => path.replace(new RegExp(`^${workdir}(?=/|$)`), work);
      copyBuildContext(repoRoot, work);
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
      for (const command of argsOf(build, "RUN")) {
        // Installing pnpm globally is the image's business; the version is checked above.
        if (command.startsWith("npm install -g pnpm@")) continue;
        await runOnceMore(command, work, env);
      }

      const copy = argsOf(final, "COPY").find((args) => args.startsWith("--from=build "));
      const source = copy?.split(/\s+/)[1];
      expect(source).toBeDefined();
      const image = inCopy(source as string);
      // Only dist/ and production dependencies: no sources, no workspace packages, no dev tools.
      expect(readdirSync(image).sort()).toEqual(["dist", "node_modules", "package.json"]);
      const modules = readdirSync(join(image, "node_modules"));
      expect(modules).not.toContain("@repo");
      expect(modules).not.toContain("tsx");
      expect(modules).not.toContain("typescript");

      issuer = await startLocalIssuer();
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

/** `COPY . .`: the repository's files as git sees them (tracked or untracked, never ignored). */
function copyBuildContext(from: string, to: string): void {
  const files = execFileSync(
    "git",
    ["ls-files", "-z", "--cached", "--others", "--exclude-standard"],
    { cwd: from, encoding: "utf8" },
  )
    .split("\0")
    .filter((file) => file !== "" && existsSync(join(from, file)));
  for (const file of files) {
    mkdirSync(dirname(join(to, file)), { recursive: true });
    cpSync(join(from, file), join(to, file));
  }
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
    // A stalled `pnpm deploy` leaves a half-written target, which it then refuses to write into.
    const deployTarget = /^pnpm deploy .* (\S+)$/.exec(command)?.[1];
    if (deployTarget !== undefined)
      rmSync(join(cwd, deployTarget), { recursive: true, force: true });
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
