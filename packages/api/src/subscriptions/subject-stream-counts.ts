/**
 * Open streams per token subject, bounded: one client holding connections open cannot exhaust the
 * server's sockets and memory for everyone else.
 */
export class SubjectStreamCounts {
  readonly #max: number;
  readonly #counts = new Map<string, number>();

  constructor(maxPerSubject: number) {
    this.#max = maxPerSubject;
  }

  /** A release function (idempotent) when `subject` is under the bound, undefined when at it. */
  acquire(subject: string): (() => void) | undefined {
    const open = this.#counts.get(subject) ?? 0;
    if (open >= this.#max) return undefined;
    this.#counts.set(subject, open + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const now = (this.#counts.get(subject) ?? 1) - 1;
      if (now <= 0) this.#counts.delete(subject);
      else this.#counts.set(subject, now);
    };
  }

  count(subject: string): number {
    return this.#counts.get(subject) ?? 0;
  }
}
