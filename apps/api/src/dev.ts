/**
 * The api's `dev` task (`pnpm dev`, under `tsx watch`): development mode unless NODE_ENV already
 * says otherwise, so that with no tenant configured the local issuer stands in (see
 * isDevelopmentMode in @repo/env), then the real entry point. Set here rather than in the script
 * so that it works in every shell, Windows' included.
 */
process.env.NODE_ENV ??= "development";
await import("./main.ts");
