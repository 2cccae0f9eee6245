/**
 * @repo/process: start a program as a child process and wait until it is ready, the one way tests,
 * the demo, the soak and the benchmark do it.
 */
export { type ProcessRun, type RunToExitOptions, runToExit } from "./run-to-exit.ts";
export {
  type ApiAddress,
  apiLaunch,
  listeningAddress,
  type SpawnApiOptions,
  spawnApi,
} from "./spawn-api.ts";
export {
  type IssuerAddress,
  issuerAddress,
  issuerLaunch,
  type SpawnIssuerOptions,
  spawnIssuer,
} from "./spawn-issuer.ts";
export { type ReadyProcess, type SpawnReadyOptions, spawnReady } from "./spawn-ready.ts";
export {
  type ChildEnv,
  type RunningProcess,
  type StartProcessOptions,
  startProcess,
} from "./start-process.ts";
