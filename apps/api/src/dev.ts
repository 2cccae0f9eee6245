/**
 * The api's `dev` task (`pnpm dev`, under `tsx watch`): development mode unless NODE_ENV already
 * says otherwise, so that with no tenant configured the local issuer stands in (see
 * isDevelopmentMode in @repo/env), and readable log lines instead of JSON; otherwise what main.ts
 * runs. NODE_ENV is set here rather than in the script so that it works in every shell, Windows'
 * included, and before the modules that read it are loaded.
 */
process.env.NODE_ENV ??= "development";
await import("./load-env-first.ts");
const { runApi } = await import("./run-api.ts");
const { createPrettyApiLogger } = await import("./pretty-logger.ts");
await runApi({ createLogger: createPrettyApiLogger });
