import { ConfigurationError } from "./configuration-error.ts";

/** Which variables move a listener: its port and its interface. */
export interface ListenVariables {
  readonly port: string;
  readonly host: string;
}

/**
 * A listener's `error` as the one line an operator can act on: a port in use or not allowed, or an
 * interface this machine does not have, become a ConfigurationError naming the variable that
 * moves it (exitOnConfigurationError prints it and exits 1). Anything else is returned unchanged.
 */
export function listenFailure(
  error: unknown,
  variables: ListenVariables,
  port: number,
  host: string | undefined,
): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const where = `port ${port} on ${host ?? "all interfaces"}`;
  switch (code) {
    case "EADDRINUSE":
      return new ConfigurationError(
        variables.port,
        `${where} is already in use: stop what listens there or set ${variables.port} to a free port`,
      );
    case "EACCES":
      return new ConfigurationError(
        variables.port,
        `${where} needs privileges this process lacks: set ${variables.port} to 1024 or above`,
      );
    case "EADDRNOTAVAIL":
      return new ConfigurationError(
        variables.host,
        `${host ?? "the address"} is not an address of this machine: set ${variables.host} to one (e.g. 127.0.0.1 or 0.0.0.0)`,
      );
    default:
      return error;
  }
}
