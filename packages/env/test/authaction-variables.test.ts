import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  AUTHACTION_VARIABLES,
  ConfigurationError,
  refuseUnknownAuthactionVariables,
} from "../src/index.ts";

function refusal(env: Record<string, string>): ConfigurationError {
  try {
    refuseUnknownAuthactionVariables(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return error as ConfigurationError;
  }
  throw new Error("expected a ConfigurationError");
}

describe("refuseUnknownAuthactionVariables", () => {
  it("accepts every known name, and names that are not AUTHACTION_*", () => {
    const env = Object.fromEntries(AUTHACTION_VARIABLES.map((name) => [name, "x"]));
    expect(() =>
      refuseUnknownAuthactionVariables({ ...env, PATH: "/bin", API_URL: "x", AUTHACTIONS: "x" }),
    ).not.toThrow();
  });

  it.each([
    ["AUTHACTION_DOMIAN", "AUTHACTION_DOMAIN"],
    ["AUTHACTION_AUDIANCE", "AUTHACTION_AUDIENCE"],
    ["AUTHACTION_JWKS_URL", "AUTHACTION_JWKS_URI"],
    ["AUTHACTION_TOKEN_URI", "AUTHACTION_TOKEN_URL"],
    ["AUTHACTION_CLIENTID", "AUTHACTION_CLIENT_ID"],
    ["AUTHACTION_ISSUR", "AUTHACTION_ISSUER"],
    ["AUTHACTION_ALLOW_INSECURE_HTTPS", "AUTHACTION_ALLOW_INSECURE_HTTP"],
    ["authaction_domain", "AUTHACTION_DOMAIN"],
    ["AuthAction_Issuer", "AUTHACTION_ISSUER"],
  ])("refuses %s in one line naming it and the %s it probably meant", (typo, meant) => {
    const error = refusal({ [typo]: "tenant.example.com", AUTHACTION_AUDIENCE: "a" });
    expect(error.variable).toBe(typo);
    expect(error.message).toBe(`${typo}: is not a variable any app reads; did you mean ${meant}?`);
  });

  it("refuses a name close to none without a guess, and never echoes the value", () => {
    const error = refusal({ AUTHACTION_SOMETHING_ELSE_ENTIRELY: "s3cr3t" });
    expect(error.message).toBe(
      "AUTHACTION_SOMETHING_ELSE_ENTIRELY: is not a variable any app reads",
    );
  });

  it("names the first unknown variable in name order when there are several", () => {
    expect(refusal({ AUTHACTION_ZZZ: "1", AUTHACTION_DOMIAN: "x" }).variable).toBe(
      "AUTHACTION_DOMIAN",
    );
  });

  it("knows exactly the AUTHACTION_* variables docs/configuration.md's tables document", () => {
    const readme = readFileSync(
      fileURLToPath(new URL("../../../docs/configuration.md", import.meta.url)),
      "utf8",
    );
    const documented = new Set<string>();
    for (const line of readme.split("\n")) {
      const firstCell = /^\|([^|]+)\|/.exec(line)?.[1] ?? "";
      for (const match of firstCell.matchAll(/`(AUTHACTION_[A-Z0-9_]+)`/g)) {
        documented.add(match[1] as string);
      }
    }
    expect([...documented].sort()).toEqual([...AUTHACTION_VARIABLES].sort());
  });
});
