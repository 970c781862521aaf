import { randomBytes } from 'node:crypto';
import { casUpdate } from './casUpdate';
import type { Storage } from './Storage';

/**
 * A secret the bot makes up itself the first time it needs it and keeps in its storage, so it stays
 * the same across restarts and is shared by every instance on the same storage (two instances
 * starting together on a new store both end up with the one that was kept). Returns the secret.
 */
export async function loadStoredSecret(storage: Storage, key: string, generate: () => string = () => randomBytes(32).toString('base64url')): Promise<string> {
  const doc = await casUpdate<{ secret: string }>(storage, key, (current) => (typeof current?.secret === 'string' && current.secret !== '' ? undefined : { secret: generate() }));
  const stored = ((await storage.read([key]))[key] as { secret?: unknown } | undefined)?.secret ?? doc?.secret;
  if (typeof stored !== 'string' || stored === '') throw new Error(`could not keep the generated secret "${key}" in storage`);
  return stored;
}
