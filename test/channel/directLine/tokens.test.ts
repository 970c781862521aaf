import { TokenSigner } from '../../../src/channel/directLine/tokens';

const KEY = 'unit-test-key-unit-test-key-unit-test-key';

describe('TokenSigner', () => {
  it('round-trips the user, conversation and expiry', () => {
    const signer = new TokenSigner(KEY, () => 1_700_000_000_000);
    const { token } = signer.sign('dl', 'dl_jane', 'conv-1', 600);
    const checked = signer.verify(token, 'dl');
    expect(checked).toMatchObject({ ok: true, claims: { typ: 'dl', user: 'dl_jane', conv: 'conv-1', iat: 1_700_000_000, exp: 1_700_000_600 } });
    // Two tokens for the same conversation in the same second still differ.
    expect(signer.sign('dl', 'dl_jane', 'conv-1', 600).token).not.toBe(token);
  });

  it('refuses a token whose claims were edited, one signed with another key, or of the other type', () => {
    const signer = new TokenSigner(KEY);
    const { token } = signer.sign('dl', 'dl_jane', 'conv-1', 600);
    const [h, , s] = token.split('.');
    const edited = `${h}.${Buffer.from(JSON.stringify({ typ: 'dl', user: 'dl_jane', conv: 'conv-2', iat: 0, exp: 9e9 })).toString('base64url')}.${s}`;
    expect(signer.verify(edited, 'dl')).toEqual({ ok: false, reason: 'badSignature' });
    expect(new TokenSigner(`${KEY}-other`).verify(token, 'dl')).toEqual({ ok: false, reason: 'badSignature' });
    expect(signer.verify(token, 'resume')).toEqual({ ok: false, reason: 'wrongType' });
    expect(signer.verify('not-a-token', 'dl')).toEqual({ ok: false, reason: 'malformed' });
    expect(signer.verify('', 'dl')).toEqual({ ok: false, reason: 'malformed' });
  });

  it('refuses an expired token, unless within the grace asked for', () => {
    let now = 1_700_000_000_000;
    const signer = new TokenSigner(KEY, () => now);
    const { token } = signer.sign('dl', 'dl_jane', 'conv-1', 60);
    now += 61_000;
    expect(signer.verify(token, 'dl')).toEqual({ ok: false, reason: 'expired' });
    expect(signer.verify(token, 'dl', 10).ok).toBe(true);
  });

  it('will not sign with a short key', () => {
    expect(() => new TokenSigner('short')).toThrow(/at least 32 bytes/);
  });
});
