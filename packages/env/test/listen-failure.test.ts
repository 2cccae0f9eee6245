import { describe, expect, it } from "vitest";
import { ConfigurationError, listenFailure } from "../src/index.ts";

const variables = { port: "PORT", host: "HOST" };
const failure = (code: string) => Object.assign(new Error(`listen ${code}`), { code });

describe("listenFailure", () => {
  it("names the port variable for a port in use or not allowed", () => {
    const inUse = listenFailure(failure("EADDRINUSE"), variables, 3000, undefined);
    expect(inUse).toBeInstanceOf(ConfigurationError);
    expect((inUse as ConfigurationError).message).toBe(
      "PORT: port 3000 on all interfaces is already in use: stop what listens there or set PORT to a free port",
    );
    const denied = listenFailure(failure("EACCES"), variables, 80, "0.0.0.0");
    expect((denied as ConfigurationError).variable).toBe("PORT");
    expect((denied as ConfigurationError).message).toMatch(/^PORT: port 80 on 0\.0\.0\.0 needs/);
  });

  it("names the host variable for an interface this machine does not have", () => {
    const missing = listenFailure(failure("EADDRNOTAVAIL"), variables, 3000, "10.9.9.9");
    expect((missing as ConfigurationError).variable).toBe("HOST");
    expect((missing as ConfigurationError).message).toMatch(/^HOST: 10\.9\.9\.9 is not an address/);
  });

  it("returns any other error unchanged", () => {
    const other = failure("EMFILE");
    expect(listenFailure(other, variables, 3000, undefined)).toBe(other);
    expect(listenFailure("not an error", variables, 3000, undefined)).toBe("not an error");
  });
});
