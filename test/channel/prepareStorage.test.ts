import { MemoryStorage } from 'botbuilder';
import { prepareStorage, QUESTION_LOG_SALT_DOC } from '../../src/channel/startBot';
import { TokenSigner } from '../../src/channel/directLine/tokens';
import { parseConfig, type Config } from '../../src/config';
import { createLogger } from '../../src/log';
import { StorageUnavailable, storageUnavailableIn } from '../../src/storage/StorageHealth';
import type { Storage } from '../../src/storage/Storage';

function configOf(env: Record<string, string> = {}): Config {
  const parsed = parseConfig({ LOG_LEVEL: 'silent', ...env });
  if (!parsed.success) throw parsed.error;
  return parsed.data;
}

const prepare = (storage: Storage, env: Record<string, string> = {}) => prepareStorage({ config: configOf(env), logger: createLogger('silent'), storage });

describe('what the server needs from storage, loaded before it is built', () => {
  it('keeps using the widget key an earlier version stored: tokens and resume proofs issued before an upgrade stay valid', async () => {
    const storage = new MemoryStorage();
    const earlierKey = TokenSigner.randomKey();
    await storage.write({ 'local-directline/signing-key': { key: earlierKey } });
    const issuedBefore = new TokenSigner(earlierKey).sign('resume', 'dl_jane', 'conv-1', 600).token;
    const { signer } = await prepare(storage);
    expect(signer.verify(issuedBefore, 'resume')).toMatchObject({ ok: true, claims: { user: 'dl_jane', conv: 'conv-1' } });
  });

  it('instances starting together on a new store end up with the same key and salt, and a restart keeps them', async () => {
    const storage = new MemoryStorage();
    const [one, two] = await Promise.all([prepare(storage), prepare(storage)]);
    const token = one.signer.sign('dl', 'dl_jane', 'conv-1', 600).token;
    expect(two.signer.verify(token, 'dl').ok).toBe(true);
    expect(two.questionLogSalt).toBe(one.questionLogSalt);
    const restarted = await prepare(storage);
    expect(restarted.signer.verify(token, 'dl').ok).toBe(true);
    expect(restarted.questionLogSalt).toBe(one.questionLogSalt);
  });

  it('with WEBCHAT_TOKEN_SECRET and QUESTION_LOG_SALT set, uses them and keeps no generated secret', async () => {
    const storage = new MemoryStorage();
    const secret = 'configured-signing-key-long-enough-for-hmac';
    const ready = await prepare(storage, { WEBCHAT_TOKEN_SECRET: secret, QUESTION_LOG_SALT: 'configured-salt-long-enough-0123456789' });
    expect(ready.signer.verify(new TokenSigner(secret).sign('dl', 'u', 'c', 60).token, 'dl').ok).toBe(true);
    expect(ready.questionLogSalt).toBe('configured-salt-long-enough-0123456789');
    expect(Object.keys(await storage.read(['local-directline/signing-key', QUESTION_LOG_SALT_DOC]))).toEqual([]);
  });

  it('storage that fails rejects with the reason (the process stops before listening)', async () => {
    const failing: Storage = {
      read: () => Promise.reject(Object.assign(new Error('EIO: i/o error, open /data/x'), { code: 'EIO' })),
      write: () => Promise.reject(Object.assign(new Error('EIO: i/o error, open /data/x'), { code: 'EIO' })),
      delete: () => Promise.reject(Object.assign(new Error('EIO: i/o error, open /data/x'), { code: 'EIO' })),
    };
    const err = await prepare(failing).then(() => undefined, (e: unknown) => e);
    expect(storageUnavailableIn(err)).toBeInstanceOf(StorageUnavailable);
  });
});
