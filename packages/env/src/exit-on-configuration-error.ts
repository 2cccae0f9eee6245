import { ConfigurationError } from "./configuration-error.ts";

/**
 * Run a start-up step; a ConfigurationError becomes one line on stderr (`<app>: configuration
 * error: <VARIABLE>: <what it expects>`) and exit code 1, with no stack trace. Anything else is a
 * bug and is rethrown.
 */
export function exitOnConfigurationError<T>(app: string, step: () => T): T {
  try {
    return step();
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    process.stderr.write(`${app}: configuration error: ${error.message}\n`);
    process.exit(1);
  }
}

/** exitOnConfigurationError for an asynchronous step (a listener that may find its port taken). */
export async function exitOnConfigurationErrorAsync<T>(
  app: string,
  step: () => Promise<T>,
): Promise<T> {
  try {
    return await step();
  } catch (error) {
    return exitOnConfigurationError(app, () => {
      throw error;
    });
  }
}
