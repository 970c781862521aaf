import type { IncomingMessage } from 'node:http';
import { parseConfig } from '../../src/config';
import { FairUse } from '../../src/limits/FairUse';

function limits(env: Record<string, string>) {
  const parsed = parseConfig(env);
  if (!parsed.success) throw parsed.error;
  return parsed.data.limits;
}

const from = (address: string, forwardedFor?: string) => ({ socket: { remoteAddress: address }, headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {} }) as unknown as IncomingMessage;

describe('FairUse', () => {
  it('counts a turn against both its conversation and its partner, per channel', async () => {
    const fair = new FairUse(limits({ RATE_LIMIT_TURNS_PER_MINUTE: '2', RATE_LIMIT_PARTNER_TURNS_PER_MINUTE: '3' }));
    expect(await fair.turn('msteams', 'c1', 'p1')).toBeUndefined();
    expect(await fair.turn('msteams', 'c1', 'p2')).toBeUndefined();
    expect((await fair.turn('msteams', 'c1', 'p3'))?.limit).toBe('conversationTurns');
    // The same ids in another channel are someone else.
    expect(await fair.turn('webchat', 'c1', 'p1')).toBeUndefined();
    expect(await fair.turn('msteams', 'c2', 'p1')).toBeUndefined();
    expect(await fair.turn('msteams', 'c3', 'p1')).toBeUndefined();
    const partner = await fair.turn('msteams', 'c4', 'p1');
    expect(partner).toMatchObject({ limit: 'partnerTurns', first: true });
    expect(partner?.message).toMatch(/at most 3 messages a minute from one partner/);
    expect((await fair.turn('msteams', 'c5', 'p1'))?.first).toBe(false);
  });

  it('says "slow down" once per conversation per window', async () => {
    const fair = new FairUse(limits({}));
    expect(await fair.noticeDue('msteams', 'c1')).toBe(true);
    expect(await fair.noticeDue('msteams', 'c1')).toBe(false);
    expect(await fair.noticeDue('msteams', 'c2')).toBe(true);
  });

  it('keys per-client limits by the address TRUSTED_PROXY_HOPS vouches for', async () => {
    const direct = new FairUse(limits({ RATE_LIMIT_TOKENS_PER_MINUTE: '1' }));
    expect(await direct.tokenRequest(from('203.0.113.1', '1.1.1.1'))).toBeUndefined();
    expect(await direct.tokenRequest(from('203.0.113.1', '2.2.2.2'))).toBeDefined();
    const proxied = new FairUse(limits({ RATE_LIMIT_TOKENS_PER_MINUTE: '1', TRUSTED_PROXY_HOPS: '1' }));
    expect(await proxied.tokenRequest(from('10.0.0.1', '1.1.1.1'))).toBeUndefined();
    expect(await proxied.tokenRequest(from('10.0.0.1', '2.2.2.2'))).toBeUndefined();
    expect(await proxied.tokenRequest(from('10.0.0.2', '1.1.1.1'))).toBeDefined();
  });

  it('gives each conversation a bounded number of stream places, returned once each', () => {
    const fair = new FairUse(limits({ RATE_LIMIT_STREAMS_PER_CONVERSATION: '2' }));
    const a = fair.openStream('c1');
    const b = fair.openStream('c1');
    expect(typeof a).toBe('function');
    expect(typeof b).toBe('function');
    expect(fair.openStream('c1')).toMatchObject({ limit: 'streams' });
    expect(typeof fair.openStream('c2')).toBe('function');
    if (typeof a === 'function') {
      a();
      a(); // a second release gives back nothing more
    }
    expect(typeof fair.openStream('c1')).toBe('function');
    expect(fair.openStream('c1')).toMatchObject({ limit: 'streams' });
  });

  it('holds back at most maxHeld refusals at once', () => {
    const fair = new FairUse(limits({}), { maxHeld: 2 });
    const first = fair.holdRefusal();
    const second = fair.holdRefusal();
    expect(first && second).toBeTruthy();
    expect(fair.holdRefusal()).toBeUndefined();
    first?.();
    first?.();
    expect(fair.holdRefusal()).toBeDefined();
    expect(fair.holdRefusal()).toBeUndefined();
  });
});
