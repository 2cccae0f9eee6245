/**
 * @repo/process: start a program as a child process and wait until it is ready, the one way tests,
 * the demo, the soak and the benchmark do it.
 */
export { type ApiAddress, listeningAddress, type SpawnApiOptions, spawnApi } from "./spawn-api.ts";
export {
  type ChildEnv,
  type ReadyProcess,
  type SpawnReadyOptions,
  spawnReady,
} from "./spawn-ready.ts";
