/**
 * A configuration value (usually an environment variable) is missing or malformed. Thrown at
 * start-up only; the message names the variable and what it expects, so a process can print it
 * and exit.
 */
export class ConfigurationError extends Error {
  override readonly name = "ConfigurationError";
  readonly variable: string;

  constructor(variable: string, expectation: string) {
    super(`${variable}: ${expectation}`);
    this.variable = variable;
  }
}
