import { describeSecurityTable } from "./support/security-table.ts";
import { spawnApi } from "./support/start-stack.ts";

// Every row of the security table behaves as stated when the api is started the way
// `pnpm --filter @repo/api start` starts it (src/main.ts, configured by environment variables
// only) against an issuer it knows nothing else about: one process per stack kind, started once,
// each row its own test. Each process must also exit 0 on its one SIGTERM at the end.
describeSecurityTable(spawnApi);
