import { ToBotFromBotOrEmulatorTokenValidationParameters } from 'botframework-connector';
import jwt from 'jsonwebtoken';
import { SigningKeys, SigningKeysUnavailable } from '../../src/channel/botAuth';
import { newSigningKey, signToken, startFakeOpenId, type FakeOpenId, type SigningKey } from '../helpers/fakeOpenId';
import { messageActivity, post, startBot, startReceiver, type RunningBot } from '../helpers/httpHarness';
import { httpRequest, rawRequest } from '../helpers/rawHttp';

/**
 * A bot with an app id, checking Bot Framework tokens against a local stand-in for Bot Framework's
 * OpenID metadata and key set (ToBotFromChannelOpenIdMetadataUrl), with real RS256 tokens signed by a
 * key made here. Forged or unverifiable tokens get 401; keys that cannot be fetched get 503.
 */

const APP_ID = '11111111-2222-3333-4444-555555555555';
const CHANNEL_ISSUER = 'https://api.botframework.com';
const EMULATOR_ISSUER = 'https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/';
const now = () => Math.floor(Date.now() / 1000);

const botFramework = newSigningKey('bf-key-1', ['msteams', 'emulator', 'webchat']);
const teamsOnly = newSigningKey('bf-key-teams', ['msteams']);
const entra = newSigningKey('entra-key-1');
const stranger = newSigningKey('bf-key-1');

interface Replies {
  activities: { text?: string }[];
}

function channelToken(claims: Record<string, unknown> = {}, key: SigningKey = botFramework, o: { algorithm?: jwt.Algorithm; kid?: string } = {}): string {
  return signToken(key, { iss: CHANNEL_ISSUER, aud: APP_ID, serviceurl: 'https://smba.trafficmanager.net/teams/', nbf: now() - 60, exp: now() + 3600, ...claims }, o);
}

/** A message answered in the response (no reply call, so no outbound token is needed). */
function ask(extra: Record<string, unknown> = {}) {
  return messageActivity('when is WPC?', { deliveryMode: 'expectReplies', channelId: 'msteams', serviceUrl: 'https://smba.trafficmanager.net/teams/', ...extra });
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

describe('Bot Framework tokens, with an app id set', () => {
  let channel: FakeOpenId;
  let emulator: FakeOpenId;
  let bot: RunningBot;
  beforeAll(async () => {
    channel = await startFakeOpenId([botFramework, teamsOnly]);
    emulator = await startFakeOpenId([entra]);
    bot = await startBot({
      MicrosoftAppId: APP_ID,
      MicrosoftAppPassword: 'not-a-real-secret',
      ToBotFromChannelOpenIdMetadataUrl: channel.metadataUrl,
      ToBotFromEmulatorOpenIdMetadataUrl: emulator.metadataUrl,
      OUTBOUND_TIMEOUT_MS: '1000',
    });
  });
  afterAll(async () => {
    await bot.close();
    await channel.close();
    await emulator.close();
  });

  it('answers an activity with a valid channel token, signed by a key from the metadata', async () => {
    const res = await post(bot.url, ask(), { authorization: `Bearer ${channelToken()}` });
    expect(res.status).toBe(200);
    // Teams gets the answer as a card.
    expect((res.json as Replies).activities.length).toBeGreaterThan(0);
    expect(JSON.stringify(res.json)).toMatch(/July 2011/);
  });

  it('answers an Emulator token (Entra ID issuer, its keys, our app as the caller)', async () => {
    const token = signToken(entra, { iss: EMULATOR_ISSUER, aud: APP_ID, appid: APP_ID, ver: '1.0', nbf: now() - 60, exp: now() + 3600 });
    const res = await post(bot.url, ask({ channelId: 'emulator' }), { authorization: `Bearer ${token}` });
    expect(res.status).toBe(200);
  });

  const forged: [string, () => string | undefined, RegExp][] = [
    ['no Authorization header', () => undefined, /required/],
    ['a Basic header', () => 'Basic YWJjOmRlZg==', /not a Bearer token/],
    ['a bearer that is not a JWT', () => 'Bearer not-a-jwt', /not a Bearer token/],
    ['alg none, no signature', () => `Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${b64({ iss: CHANNEL_ISSUER, aud: APP_ID, exp: now() + 3600 })}.`, /not a Bearer token/],
    ['alg none with a made-up signature', () => `Bearer ${b64({ alg: 'none', kid: 'bf-key-1' })}.${b64({ iss: CHANNEL_ISSUER, aud: APP_ID })}.c2ln`, /none are not accepted/],
    ['HS256 with the public key as the secret', () => `Bearer ${jwt.sign({ iss: CHANNEL_ISSUER, aud: APP_ID, serviceurl: 'https://smba.trafficmanager.net/teams/' }, botFramework.publicKey.export({ type: 'spki', format: 'pem' }), { algorithm: 'HS256', keyid: 'bf-key-1' })}`, /HS256 are not accepted/],
    ['a foreign RSA key under a published kid', () => `Bearer ${channelToken({}, stranger)}`, /invalid signature/],
    ['a kid nobody published', () => `Bearer ${channelToken({}, botFramework, { kid: 'made-up' })}`, /does not publish/],
    ['no kid', () => `Bearer ${jwt.sign({ iss: CHANNEL_ISSUER, aud: APP_ID }, botFramework.privateKey, { algorithm: 'RS256' })}`, /no signing key/],
    ['an expired token', () => `Bearer ${channelToken({ exp: now() - 3600, nbf: now() - 7200 })}`, /expired/],
    ['a token not valid yet', () => `Bearer ${channelToken({ nbf: now() + 3600 })}`, /not active/],
    ['another bot as audience', () => `Bearer ${channelToken({ aud: '99999999-0000-0000-0000-000000000000' })}`, /not for this bot/],
    ['another issuer', () => `Bearer ${channelToken({ iss: 'https://evil.example' })}`, /not issued by Bot Framework/],
    ['a skill token from another bot', () => `Bearer ${channelToken({ ver: '1.0', appid: '99999999-0000-0000-0000-000000000000' })}`, /skills/],
    ['an Emulator token for another app', () => `Bearer ${signToken(entra, { iss: EMULATOR_ISSUER, aud: APP_ID, appid: '99999999-0000-0000-0000-000000000000', ver: '1.0', exp: now() + 3600 })}`, /skills|not for this bot/],
    ['an Emulator v2 token for another app', () => `Bearer ${signToken(entra, { iss: EMULATOR_ISSUER, aud: APP_ID, azp: '99999999-0000-0000-0000-000000000000', appid: APP_ID, ver: '2.0', exp: now() + 3600 })}`, /skills|not for this bot/],
    ['a malformed payload', () => `Bearer ${b64({ alg: 'RS256', kid: 'bf-key-1' })}.bm90IGpzb24.c2ln`, /malformed/],
    ['a lowercase scheme', () => `bearer ${channelToken()}`, /not a Bearer token/],
  ];

  it.each(forged)('%s gets 401 with the reason', async (_name, header, reason) => {
    const h = header();
    const res = await post(bot.url, ask(), h === undefined ? {} : { authorization: h });
    expect(res.status).toBe(401);
    expect((res.json as { message: string }).message).toMatch(reason);
  });

  it('refuses a forged token before reading the body: the 401 comes while most of it is still unsent', async () => {
    const header = `Bearer ${channelToken({}, stranger)}`;
    const res = await rawRequest(
      bot.url,
      httpRequest('POST', '/api/messages', { headers: { 'Content-Type': 'application/json', Authorization: header, 'Content-Length': String(200 * 1024), Connection: 'keep-alive' }, body: '{"type":' }),
      { timeoutMs: 3000 },
    );
    expect(res.status).toBe(401);
    expect(res.headers.connection).toBe('close');
  });

  it("with an app id, replies only go to the channel's own serviceUrl: a token for another one is refused (the SDK's serviceurl claim)", async () => {
    const receiver = await startReceiver();
    try {
      const activity = ask({ deliveryMode: undefined, serviceUrl: receiver.serviceUrl });
      const res = await post(bot.url, activity, { authorization: `Bearer ${channelToken({ serviceurl: 'https://smba.trafficmanager.net/teams/' })}` });
      expect(res.status).toBe(401);
      expect((res.json as { message: string }).message).toMatch(/ServiceUrl/i);
      await new Promise((r) => setTimeout(r, 200));
      expect(receiver.received).toEqual([]);
    } finally {
      await receiver.close();
    }
  });

  it("refuses a key endorsed for another channel (checked after the body, by the SDK)", async () => {
    const res = await post(bot.url, ask({ channelId: 'webchat' }), { authorization: `Bearer ${channelToken({}, teamsOnly)}` });
    expect(res.status).toBe(401);
    expect((res.json as { message: string }).message).toMatch(/endorsement/);
    const teams = await post(bot.url, ask(), { authorization: `Bearer ${channelToken({}, teamsOnly)}` });
    expect(teams.status).toBe(200);
  });

  it('fetched the keys once for all of these requests, and keeps serving them while the metadata endpoint is down', async () => {
    expect(channel.keyFetches()).toBe(1);
    channel.mode = 'down';
    try {
      for (let i = 0; i < 5; i += 1) {
        const res = await post(bot.url, ask(), { authorization: `Bearer ${channelToken()}` });
        expect(res.status).toBe(200);
      }
      // A kid nobody published is still a 401, not a reason to hammer the endpoint.
      const unknown = await post(bot.url, ask(), { authorization: `Bearer ${channelToken({}, botFramework, { kid: 'made-up-2' })}` });
      expect(unknown.status).toBe(401);
      expect(channel.keyFetches()).toBe(1);
    } finally {
      channel.mode = 'up';
    }
  });

  it("does not let forged tokens grow the SDK's list of Emulator issuers", async () => {
    const issuers = ToBotFromBotOrEmulatorTokenValidationParameters.issuer as string[];
    const before = issuers.length;
    for (let i = 0; i < 50; i += 1) {
      const token = `${b64({ alg: 'RS256', kid: 'entra-key-1' })}.${b64({ iss: `https://sts.windows.net/tenant-${i}/`, tid: `tenant-${i}`, appid: APP_ID, ver: '1.0' })}.c2ln`;
      const res = await post(bot.url, ask(), { authorization: `Bearer ${token}` });
      expect(res.status).toBe(401);
    }
    expect(issuers.length).toBe(before);
  });

  it('logs each refusal at warn with its reason, never an error or a stack', () => {
    expect(bot.logs.filter((l) => l.msg === 'unauthorized activity').length).toBeGreaterThanOrEqual(forged.length);
    expect(bot.logs.filter((l) => Number(l.level) >= 50)).toEqual([]);
  });
});

describe("when Bot Framework's signing keys cannot be fetched", () => {
  it('answers 503 with Retry-After and one clear log line per attempt, then serves once the endpoint is back', async () => {
    const channel = await startFakeOpenId([botFramework]);
    channel.mode = 'down';
    const bot = await startBot({ MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'x', ToBotFromChannelOpenIdMetadataUrl: channel.metadataUrl, OUTBOUND_TIMEOUT_MS: '1000' });
    try {
      const first = await post(bot.url, ask(), { authorization: `Bearer ${channelToken()}` });
      expect(first.status).toBe(503);
      expect(first.headers.get('retry-after')).toBe('30');
      expect((first.json as { message: string }).message).toMatch(/cannot check Bot Framework tokens/);
      const line = bot.logs.find((l) => l.msg === 'could not fetch Bot Framework signing keys; requests with tokens get 503 until they can be fetched');
      expect(line).toMatchObject({ url: channel.metadataUrl, reason: expect.stringMatching(/answered 500/) });
      // Within the back-off the endpoint is not asked again: requests fail fast.
      const fetchesAfterFirst = channel.metadataFetches();
      const again = await post(bot.url, ask(), { authorization: `Bearer ${channelToken()}` });
      expect(again.status).toBe(503);
      expect(channel.metadataFetches()).toBe(fetchesAfterFirst);
      // Still no 5xx for a token that is plainly not one.
      expect((await post(bot.url, ask(), { authorization: 'Bearer nope' })).status).toBe(401);
      channel.mode = 'up';
      await new Promise((r) => setTimeout(r, 1100));
      const later = await post(bot.url, ask(), { authorization: `Bearer ${channelToken()}` });
      expect(later.status).toBe(200);
    } finally {
      await bot.close();
      await channel.close();
    }
  });

  it('gives up on a metadata endpoint that never answers after OUTBOUND_TIMEOUT_MS (503, not a hung request)', async () => {
    const channel = await startFakeOpenId([botFramework]);
    channel.mode = 'hang';
    const bot = await startBot({ MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'x', ToBotFromChannelOpenIdMetadataUrl: channel.metadataUrl, OUTBOUND_TIMEOUT_MS: '500' });
    try {
      const started = Date.now();
      const res = await post(bot.url, ask(), { authorization: `Bearer ${channelToken()}` });
      expect(res.status).toBe(503);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(bot.logs.find((l) => String(l.msg).startsWith('could not fetch Bot Framework signing keys'))).toMatchObject({ reason: expect.stringMatching(/no answer within 500 ms/) });
    } finally {
      await bot.close();
      await channel.close();
    }
  });

  it('treats a metadata document that is not JSON as unavailable (503)', async () => {
    const channel = await startFakeOpenId([botFramework]);
    channel.mode = 'notJson';
    const bot = await startBot({ MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'x', ToBotFromChannelOpenIdMetadataUrl: channel.metadataUrl, OUTBOUND_TIMEOUT_MS: '1000' });
    try {
      const res = await post(bot.url, ask(), { authorization: `Bearer ${channelToken()}` });
      expect(res.status).toBe(503);
    } finally {
      await bot.close();
      await channel.close();
    }
  });
});

describe('SigningKeys (the key cache, on a clock of its own)', () => {
  let endpoint: FakeOpenId;
  let clock: number;
  const errors: { reason: string; haveKeys: boolean }[] = [];
  const options = () => ({
    timeoutMs: 1000,
    refreshMs: 24 * 3600_000,
    retryMs: 1000,
    unknownKeyRefreshMs: 5 * 60_000,
    now: () => clock,
    onFetchError: (_url: string, reason: string, haveKeys: boolean) => errors.push({ reason, haveKeys }),
  });
  beforeEach(async () => {
    endpoint = await startFakeOpenId([botFramework]);
    clock = 1_000_000;
    errors.length = 0;
  });
  afterEach(() => endpoint.close());

  it('keeps serving day-old keys while a refresh fails, and asks again only after a growing wait', async () => {
    const keys = new SigningKeys(endpoint.metadataUrl, options);
    expect(await keys.getKey('bf-key-1')).toMatchObject({ key: expect.stringContaining('BEGIN PUBLIC KEY'), endorsements: ['msteams', 'emulator', 'webchat'] });
    expect(endpoint.keyFetches()).toBe(1);
    clock += 25 * 3600_000;
    endpoint.mode = 'down';
    for (let i = 0; i < 10; i += 1) expect(await keys.getKey('bf-key-1')).not.toBeNull();
    expect(endpoint.metadataFetches()).toBe(2);
    expect(errors).toEqual([{ reason: expect.stringMatching(/500/), haveKeys: true }]);
    clock += 1001;
    await keys.getKey('bf-key-1');
    expect(endpoint.metadataFetches()).toBe(3);
    clock += 1001;
    await keys.getKey('bf-key-1');
    expect(endpoint.metadataFetches()).toBe(3);
    endpoint.mode = 'up';
    clock += 2001;
    await keys.getKey('bf-key-1');
    expect(endpoint.keyFetches()).toBe(2);
    expect(keys.state()).toMatchObject({ keys: 1, failures: 0 });
  });

  it('throws SigningKeysUnavailable while no keys were ever fetched, and for an unknown key during an outage', async () => {
    endpoint.mode = 'down';
    const keys = new SigningKeys(endpoint.metadataUrl, options);
    await expect(keys.getKey('bf-key-1')).rejects.toBeInstanceOf(SigningKeysUnavailable);
    await expect(keys.getKey('bf-key-1')).rejects.toThrow(/answered 500/);
    endpoint.mode = 'up';
    clock += 1001;
    expect(await keys.getKey('bf-key-1')).not.toBeNull();
    // A kid it does not know, and the endpoint down: it cannot tell, so unavailable rather than forged.
    clock += 6 * 60_000;
    endpoint.mode = 'down';
    await expect(keys.getKey('rotated-in')).rejects.toBeInstanceOf(SigningKeysUnavailable);
    expect(await keys.getKey('bf-key-1')).not.toBeNull();
  });

  it('looks for a key it does not know at most once per five minutes, and one fetch serves requests arriving together', async () => {
    const keys = new SigningKeys(endpoint.metadataUrl, options);
    await Promise.all(Array.from({ length: 20 }, () => keys.getKey('bf-key-1')));
    expect(endpoint.keyFetches()).toBe(1);
    for (let i = 0; i < 10; i += 1) expect(await keys.getKey(`forged-${i}`)).toBeNull();
    expect(endpoint.keyFetches()).toBe(1);
    const rotated = newSigningKey('rotated-in');
    endpoint.keys = [botFramework, rotated];
    clock += 5 * 60_000;
    expect(await keys.getKey('rotated-in')).not.toBeNull();
    expect(endpoint.keyFetches()).toBe(2);
  });
});
