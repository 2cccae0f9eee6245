import { fileURLToPath } from "node:url";
import { runToExit } from "@repo/process";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../..", import.meta.url));

describe("pnpm demo", () => {
  it("starts the issuer and the api, runs the client through the queries, the mutation and the subscription, and exits 0", async () => {
    const run = await runToExit({
      command: process.execPath,
      args: ["--import", "tsx", "scripts/demo.ts"],
      cwd: root,
      env: { PATH: process.env.PATH ?? "", NODE_ENV: "test" },
    });
    const output = run.stdout + run.stderr;
    expect(output).toContain('public    -> {"message":"This is a public message!"}');
    expect(output).toContain(
      'protected -> {"message":"This is a protected message!","sub":"demo-client@clients"}',
    );
    expect(output).toContain(
      'secret    -> {"message":"This is a secret message!","sub":"demo-client@clients"}',
    );
    // The subscription over SSE delivers the messages posted through the mutation.
    expect(output).toContain('posted    -> {"id":"1","text":"hello 1 of 3"}');
    for (const id of ["1", "2", "3"]) {
      expect(output).toContain(
        `onMessage -> {"id":"${id}","text":"hello ${id} of 3","sub":"demo-client@clients"}`,
      );
    }
    expect(run.code).toBe(0);
  }, 60_000);
});
