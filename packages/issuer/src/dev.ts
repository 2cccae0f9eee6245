/**
 * The issuer's `dev` task (`pnpm dev`, under `tsx watch`): development mode unless NODE_ENV
 * already says otherwise, as for the api and the client it serves, then the real entry point. Set
 * here rather than in the script so that it works in every shell, Windows' included.
 */
process.env.NODE_ENV ??= "development";
await import("./main.ts");
