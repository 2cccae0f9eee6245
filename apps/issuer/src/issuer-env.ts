import { z } from "zod";
import { DEFAULT_AUDIENCE, DEFAULT_CLIENTS, DEFAULT_TOKEN_LIFETIME_SECONDS } from "./defaults.ts";
import type { IssuerClient } from "./local-issuer-types.ts";

export interface IssuerConfig {
  port: number;
  host: string;
  /** Undefined only with port 0, where the issuer defaults to the URL it actually binds. */
  issuer: string | undefined;
  audiences: string[];
  clients: IssuerClient[];
  tokenLifetimeSeconds: number;
  admin: boolean;
}

// One line per variable, printed as is when the value does not parse; values are not echoed
// because ISSUER_CLIENTS holds secrets.
const EXPECTED: Record<string, string> = {
  ISSUER_PORT: "an integer port from 0 to 65535 (default 9000)",
  ISSUER_HOST: "a host name or IP address to listen on (default 127.0.0.1)",
  ISSUER_URL:
    "an http(s) URL used verbatim as the iss claim (default http://localhost:$ISSUER_PORT)",
  AUTHACTION_AUDIENCE: "a comma-separated list of audiences (default https://api.example.com)",
  ISSUER_CLIENTS:
    'a JSON array of {"clientId","clientSecret","scopes":[...]} with unique clientIds (default: the demo clients)',
  ISSUER_TOKEN_LIFETIME_SECONDS: "a positive integer of seconds (default 86400)",
  ISSUER_ADMIN: "true or false (default false)",
};

/** An empty value (`FOO=` in .env) means "use the default". */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === "" ? undefined : value), schema.optional());

const clientsSchema = z
  .array(
    z.object({
      clientId: z.string().min(1),
      clientSecret: z.string().min(1),
      scopes: z.array(z.string().min(1)),
    }),
  )
  .min(1)
  .refine((clients) => new Set(clients.map((c) => c.clientId)).size === clients.length);

const envSchema = z.object({
  ISSUER_PORT: optional(
    z
      .string()
      .regex(/^\d{1,5}$/)
      .transform(Number)
      .pipe(z.number().max(65_535)),
  ),
  ISSUER_HOST: optional(z.string().regex(/^[^\s/]+$/)),
  ISSUER_URL: optional(z.url({ protocol: /^https?$/ })),
  AUTHACTION_AUDIENCE: optional(
    z
      .string()
      .transform((list) => list.split(",").map((audience) => audience.trim()))
      .pipe(z.array(z.string().min(1))),
  ),
  ISSUER_CLIENTS: optional(
    z
      .string()
      .transform((text, ctx) => {
        try {
          return JSON.parse(text) as unknown;
        } catch {
          ctx.addIssue({ code: "custom", message: "not JSON" });
          return z.NEVER;
        }
      })
      .pipe(clientsSchema),
  ),
  ISSUER_TOKEN_LIFETIME_SECONDS: optional(
    z.string().regex(/^\d+$/).transform(Number).pipe(z.number().int().positive()),
  ),
  ISSUER_ADMIN: optional(z.enum(["true", "false"])),
});

export type EnvResult = { ok: true; config: IssuerConfig } | { ok: false; message: string };

/** Reads the issuer's configuration from the environment; on failure, one line naming the variable. */
export function parseIssuerEnv(env: NodeJS.ProcessEnv): EnvResult {
  const result = envSchema.safeParse(env);
  if (!result.success) {
    const name = String(result.error.issues[0]?.path[0]);
    return { ok: false, message: `Invalid ${name}: expected ${EXPECTED[name] ?? "a valid value"}` };
  }
  const vars = result.data;
  const port = vars.ISSUER_PORT ?? 9000;
  return {
    ok: true,
    config: {
      port,
      host: vars.ISSUER_HOST ?? "127.0.0.1",
      issuer: vars.ISSUER_URL ?? (port === 0 ? undefined : `http://localhost:${port}`),
      audiences: vars.AUTHACTION_AUDIENCE ?? [DEFAULT_AUDIENCE],
      clients: vars.ISSUER_CLIENTS ?? DEFAULT_CLIENTS,
      tokenLifetimeSeconds: vars.ISSUER_TOKEN_LIFETIME_SECONDS ?? DEFAULT_TOKEN_LIFETIME_SECONDS,
      admin: vars.ISSUER_ADMIN === "true",
    },
  };
}
