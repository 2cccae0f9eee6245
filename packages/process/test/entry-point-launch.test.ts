import { mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { entryPointLaunch } from "../src/entry-point-launch.ts";
import { runToExit } from "../src/index.ts";

// A stand-in entry point that prints the environment and folder it was given.
const dir = mkdtempSync(join(tmpdir(), "entry-point-"));
const printsWhatItSees = [
  "-e",
  "console.log(JSON.stringify({ env: process.env, folder: process.cwd() }))",
];
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const entry = { name: "stand-in", dir, listenEnv: { PORT: "0", HOST: "127.0.0.1" } };

async function childSees(env: Record<string, string | undefined>) {
  const run = await runToExit(entryPointLaunch(entry, env, { args: printsWhatItSees }));
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as { env: Record<string, string>; folder: string };
}

describe("entryPointLaunch", () => {
  it("runs the entry point in its folder with exactly PATH, NODE_ENV=test and its listen variables", async () => {
    const seen = await childSees({ EXTRA: "x" });
    expect(realpathSync(seen.folder)).toBe(realpathSync(dir));
    expect(seen.env).toEqual({
      PATH: process.env.PATH,
      NODE_ENV: "test",
      PORT: "0",
      HOST: "127.0.0.1",
      EXTRA: "x",
    });
  });

  it("lets the given variables replace the defaults, and undefined remove one", async () => {
    const seen = await childSees({ NODE_ENV: "production", PORT: "8080", HOST: undefined });
    expect(seen.env).toMatchObject({ NODE_ENV: "production", PORT: "8080" });
    expect(seen.env).not.toHaveProperty("HOST");
  });
});
