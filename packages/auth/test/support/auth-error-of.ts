import { expect } from "vitest";
import { AuthError } from "../../src/errors.ts";

/** The AuthError `promise` rejects with; the test fails if it resolves or rejects with anything else. */
export async function authErrorOf(promise: Promise<unknown>): Promise<AuthError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AuthError);
  return error as AuthError;
}
