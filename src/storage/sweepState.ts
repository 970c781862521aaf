
/** botbuilder's state keys: `<channel>/conversations/<id>` and `<channel>/users/<id>`. */
const STATE_KEY = /^[^/]+\/(?:conversations|users)\//;

/**
 * Deletes conversation and partner state that nobody has written for `ttlDays` (tickets and the
 * delivery outbox are kept). Returns how many documents it deleted. For the file backend; Azure
 * backends use the service's own expiry (see README).
 */
export async function sweepExpiredState(store: { entries(): Promise<{ key: string; modified: Date }[]>; delete(keys: string[]): Promise<void> }, ttlDays: number, now: Date = new Date()): Promise<number> {
  const cutoff = now.getTime() - ttlDays * 24 * 60 * 60 * 1000;
  const expired = (await store.entries()).filter((e) => STATE_KEY.test(e.key) && e.modified.getTime() < cutoff).map((e) => e.key);
  if (expired.length > 0) await store.delete(expired);
  return expired.length;
}
