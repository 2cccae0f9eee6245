import { describe, expect, it } from "vitest";
import { runToExit } from "../src/index.ts";

/** A node program given as source text. */
const program = (source: string) => ({ command: process.execPath, args: ["-e", source] });

describe("runToExit", () => {
  it("runs a program to its end: exit code, stdout and stderr", async () => {
    const run = await runToExit({
      ...program(`console.log(process.env.ONLY); console.error("warned"); process.exit(3);`),
      env: { ONLY: "given", OTHER: undefined },
    });
    expect(run).toEqual({ code: 3, stdout: "given\n", stderr: "warned\n" });
  });

  it("sends one SIGTERM once stdout satisfies stopWhen, and reports how the program ended", async () => {
    const run = await runToExit({
      ...program(
        `process.on("SIGTERM", () => { console.log("stopping"); process.exit(0); });
         console.log("listening"); setInterval(() => {}, 1000);`,
      ),
      env: {},
      stopWhen: (stdout) => stdout.includes("listening"),
    });
    expect(run).toEqual({ code: 0, stdout: "listening\nstopping\n", stderr: "" });
  });

  it("lets a program that never satisfies stopWhen end on its own", async () => {
    const run = await runToExit({
      ...program(`console.error("refused"); process.exit(1);`),
      env: {},
      stopWhen: (stdout) => stdout.includes("listening"),
    });
    expect(run).toEqual({ code: 1, stdout: "", stderr: "refused\n" });
  });

  it("with echo, also writes what the program prints to this process's stdout and stderr", async () => {
    // A parent that runs a child with echo: the parent's own output is what echo wrote.
    const index = new URL("../src/index.ts", import.meta.url).href;
    const child = `console.log("out"); console.error("err");`;
    const run = await runToExit({
      command: process.execPath,
      args: [
        "--import",
        "tsx",
        "--input-type=module",
        "-e",
        `const { runToExit } = await import(${JSON.stringify(index)});
         await runToExit({ command: process.execPath, args: ["-e", ${JSON.stringify(child)}], env: {}, echo: true });`,
      ],
      env: { PATH: process.env.PATH },
    });
    expect(run).toEqual({ code: 0, stdout: "out\n", stderr: "err\n" });
  });
});
