import { type Database, MESSAGES_CHANNEL } from "../../src/index.ts";

/** What a listener on the messages channel has seen: the ids notified, and how often it listened. */
export interface MessagesListener {
  readonly notified: readonly string[];
  listenings(): number;
}

/** Listen on the messages channel of `db`, recording every payload and every (re)listen. */
export async function listenToMessages(db: Database): Promise<MessagesListener> {
  const notified: string[] = [];
  let listenings = 0;
  await db.listen(MESSAGES_CHANNEL, {
    onNotify: (payload) => notified.push(payload),
    onListening: () => {
      listenings += 1;
    },
  });
  return { notified, listenings: () => listenings };
}
