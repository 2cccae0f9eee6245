/**
 * `pnpm --filter @repo/bench check`: start every subject and run the correctness check the
 * benchmark runs before load (expected bodies, refusals), without any load. A quick way to see that
 * a peer is set up right after a dependency update.
 */
import { readlink } from "node:fs/promises";
import { startBenchIssuer } from "./bench-issuer.ts";
import { checkSubject } from "./check-subject.ts";
import { SUBJECTS } from "./subject-catalog.ts";
import { startSubject } from "./subject-process.ts";

process.stdout.write(`runner: node ${process.version} at ${process.execPath}\n`);
const bench = await startBenchIssuer();
let failed = 0;
try {
  for (const spec of SUBJECTS) {
    const subject = await startSubject(spec, { env: bench.subjectEnv });
    try {
      await checkSubject(subject, bench.token, bench.sub);
      // Linux names a process's binary in /proc: the subjects must run on the runner's node.
      const binary = await readlink(`/proc/${subject.pid}/exe`).catch(() => "unknown binary");
      process.stdout.write(`ok    ${spec.label} (pid ${subject.pid}, ${binary})\n`);
    } catch (error) {
      failed++;
      process.stdout.write(`FAIL  ${error instanceof Error ? error.message : String(error)}\n`);
    } finally {
      await subject.stop();
    }
  }
} finally {
  await bench.issuer.close();
}
process.exit(failed === 0 ? 0 : 1);
