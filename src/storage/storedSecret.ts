import { randomBytes } from 'node:crypto';
import { casUpdate } from './casUpdate';
import type { Storage } from './Storage';

/**
 * A secret the bot makes up itself the first time it needs it and keeps in its storage, so it stays
 * the same across restarts and is shared by every instance on the same storage (two instances
 * starting together on a new store both end up with the one that was kept). Returns the secret, kept
 * in the document's `field` (`secret` unless named).
 */
export async function loadStoredSecret(
  storage: Storage,
  key: string,
  options: { readonly field?: string; readonly generate?: () => string } = {},
): Promise<string> {
  const field = options.field ?? 'secret';
  const generate = options.generate ?? (() => randomBytes(32).toString('base64url'));
  const doc = await casUpdate<Record<string, unknown>>(storage, key, (current) => (typeof current?.[field] === 'string' && current[field] !== '' ? undefined : { [field]: generate() }));
  const stored = ((await storage.read([key]))[key] as Record<string, unknown> | undefined)?.[field] ?? doc?.[field];
  if (typeof stored !== 'string' || stored === '') throw new Error(`could not keep the generated secret "${key}" in storage`);
  return stored;
}
