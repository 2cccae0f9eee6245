/**
 * main.ts's first import: the repository's .env (or DOTENV_PATH) is read before any other module
 * loads, because some decide once as they load from the environment (whether procedures get trace
 * spans: tracesRequested in @repo/env), and a variable set in .env must count there as it does
 * everywhere else. A .env that cannot be read is one line naming it, exit 1.
 */
import { exitOnConfigurationError, loadDotEnv } from "@repo/env";

exitOnConfigurationError("api", () => loadDotEnv());
