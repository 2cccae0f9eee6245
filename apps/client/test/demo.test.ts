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
    // First the key client: private_key_jwt, a DPoP-bound token, a proof with every call.
    const [keyRun = "", secretRun = ""] = output.split("demo: client 2 of 2");
    expect(keyRun).toContain("demo: client 1 of 2: demo-key-client, private_key_jwt + DPoP");
    expect(keyRun).toMatch(
      /token {5}-> obtained, DPoP-bound \(a proof with every call\), expires /,
    );
    expect(keyRun).toContain(
      'secret    -> {"message":"This is a secret message!","sub":"demo-key-client@clients"}',
    );
    expect(keyRun).toContain(
      'onMessage -> {"id":"3","text":"hello 3 of 3","sub":"demo-key-client@clients"}',
    );
    expect(secretRun).toMatch(/token {5}-> obtained, expires /);
    expect(output).toContain("demo: client exit codes 0, 0");
    expect(output).toContain('public    -> {"message":"This is a public message!"}');
    expect(output).toContain(
      'protected -> {"message":"This is a protected message!","sub":"demo-client@clients"}',
    );
    expect(output).toContain(
      'secret    -> {"message":"This is a secret message!","sub":"demo-client@clients"}',
    );
    // The subscription over SSE delivers the messages posted through the mutation (the api
    // keeps the key client's three, so these are 4 to 6).
    expect(secretRun).toContain('posted    -> {"id":"4","text":"hello 1 of 3"}');
    for (const id of ["1", "2", "3"]) {
      expect(secretRun).toContain(
        `onMessage -> {"id":"${3 + Number(id)}","text":"hello ${id} of 3","sub":"demo-client@clients"}`,
      );
    }
    expect(run.code).toBe(0);
  }, 60_000);
});
