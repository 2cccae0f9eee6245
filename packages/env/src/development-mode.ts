type Env = Readonly<Record<string, string | undefined>>;

/**
 * `true` in the api's and the client's dist/main.js: tsdown replaces it at build time (`define`
 * in tsdown.base.ts), so a built artifact has no development mode to fall into, whatever its
 * environment says. Undeclared when the sources run (tsx, vitest).
 */
declare const __BUILT_FOR_DEPLOYMENT__: boolean | undefined;

/** Whether this code runs from a deployable build (see `__BUILT_FOR_DEPLOYMENT__`). */
export const BUILT_FOR_DEPLOYMENT: boolean =
  typeof __BUILT_FOR_DEPLOYMENT__ === "boolean" && __BUILT_FOR_DEPLOYMENT__;

/** The NODE_ENV values that mean development mode; anything else, or unset, is production. */
const DEVELOPMENT_NODE_ENVS: readonly (string | undefined)[] = ["development", "test"];

/**
 * Development mode: the sources run (not a built artifact) with NODE_ENV exactly `development` or
 * `test`. Only then does the local issuer stand in for a missing tenant and are plain http://
 * trust anchors accepted; everything else (NODE_ENV unset, `production`, `Production`, `staging`,
 * a typo) is production, so a forgotten setting fails closed.
 */
export function isDevelopmentMode(env: Env): boolean {
  if (BUILT_FOR_DEPLOYMENT) return false;
  return DEVELOPMENT_NODE_ENVS.includes(env.NODE_ENV);
}
