import type { Clock } from "@repo/auth/server";
import { DatabaseError } from "./database-error.ts";

/**
 * `work`, or a DatabaseError (ERR_DATABASE_TIMEOUT) once `ms` have passed on `clock`, whichever
 * comes first. A lost connection can leave a query waiting on a socket for minutes; the caller is
 * answered in bounded time. The work itself goes on (a late failure is swallowed): an insert that
 * commits after its deadline is stored although its caller was told 503, never the reverse.
 */
export function withDeadline<T>(clock: Clock, ms: number, work: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const cancel = clock.setTimer(
      () =>
        reject(
          new DatabaseError("ERR_DATABASE_TIMEOUT", `the database did not answer within ${ms} ms`),
        ),
      ms,
      { background: true },
    );
    work.then(
      (value) => {
        cancel();
        resolve(value);
      },
      (error: unknown) => {
        cancel();
        reject(error);
      },
    );
  });
}
