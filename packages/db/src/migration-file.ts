/** One migration as drizzle-kit wrote it: its journal entry and its SQL file's text. */
export interface MigrationFile {
  /** The file's name without `.sql`, e.g. `0000_messages`. */
  readonly tag: string;
  /** When drizzle-kit generated it (ms since the epoch): the order, and what is recorded as applied. */
  readonly when: number;
  readonly sql: string;
}
