import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { TokenSigner } from '../../../src/channel/directLine/tokens';
import { Transcripts } from '../../../src/channel/directLine/transcripts';
import { FileStorage } from '../../../src/storage/FileStorage';
import { call, DirectLineClient, issueToken, openStream, type DlActivity } from '../../helpers/directLineClient';
import { startBot, type RunningBot } from '../../helpers/httpHarness';

const KEY = 'test-signing-key-that-is-long-enough-for-hmac';

/** A conversation in progress as the previous version stored it: one document with its last 200 activities. */
const BEFORE = JSON.parse(readFileSync(path.join(__dirname, 'fixtures/transcript-one-document.json'), 'utf8')) as {
  conv: string;
  user: string;
  next: number;
  updatedAt: string;
  entries: { seq: number; activity: DlActivity }[];
};

describe('a Web Chat conversation in progress when the bot is upgraded to paged transcripts', () => {
  let dir: string;
  let storage: FileStorage;
  let bot: RunningBot;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'dl-upgrade-'));
    storage = new FileStorage(dir);
    // Its partner wrote a minute ago.
    await storage.write({ [Transcripts.key(BEFORE.conv)]: { ...BEFORE, updatedAt: new Date(Date.now() - 60_000).toISOString() } });
    bot = await startBot({ WEBCHAT_TOKEN_SECRET: KEY }, storage);
  });
  afterAll(async () => {
    await bot.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('resumes with its history, streams from the watermark the page had, and carries on numbering', async () => {
    // The partner's page reloads with the resume proof it kept.
    const resume = new TokenSigner(KEY).sign('resume', BEFORE.user, BEFORE.conv, 600).token;
    const issued = await issueToken(bot.url, { resume });
    expect(issued).toMatchObject({ resumed: true, conversationId: BEFORE.conv, userId: BEFORE.user });
    const client = new DirectLineClient(bot.url, issued.token, issued.conversationId);

    // The history, as the previous version served it.
    const history = await client.poll();
    expect(history.map((a) => a.id)).toEqual(BEFORE.entries.map((e) => e.activity.id));
    expect(history.map((a) => a.text)).toEqual(BEFORE.entries.map((e) => e.activity.text));
    expect(client.watermark).toBe(String(BEFORE.next));

    // Web Chat reconnects its stream from the watermark it had: only what came after it.
    const reconnect = await call<{ streamUrl: string }>(`${bot.url}/v3/directline/conversations/${BEFORE.conv}?watermark=${BEFORE.next - 2}`, { token: issued.token });
    expect(reconnect.status).toBe(200);
    const stream = await openStream(reconnect.json.streamUrl);
    try {
      await stream.waitFor((a) => a.id === BEFORE.entries.at(-1)?.activity.id);
      expect(stream.activities.map((a) => a.id)).toEqual(BEFORE.entries.slice(-2).map((e) => e.activity.id));

      // The next question and its answer continue the numbering, on the stream and when polled.
      const answer = await client.ask('when is WPC?');
      expect(answer.text).toMatch(/July 2011/);
      const asked = client.seen.find((a) => a.text === 'when is WPC?' && a.from.role === 'user' && !BEFORE.entries.some((e) => e.activity.id === a.id));
      expect(asked?.id).toBe(`${BEFORE.conv}|${String(BEFORE.next).padStart(7, '0')}`);
      await stream.waitFor((a) => a.id === answer.id);
      expect(stream.activities.map((a) => a.id)).toEqual([...BEFORE.entries.slice(-2).map((e) => e.activity.id), asked?.id, answer.id]);
    } finally {
      stream.ws.close();
    }

    // Stored in pages now; a reload still sees the most recent history, ending with the new exchange.
    const key = Transcripts.key(BEFORE.conv);
    const head = (await storage.read([key]))[key] as Record<string, unknown>;
    expect(head.entries).toBeUndefined();
    expect(Array.isArray(head.pages) && head.pages.length).toBeGreaterThan(0);
    const reload = new DirectLineClient(bot.url, issued.token, issued.conversationId);
    const again = await reload.poll();
    expect(again.length).toBeGreaterThanOrEqual(181);
    expect(again.length).toBeLessThanOrEqual(200);
    expect(again.slice(0, -2).map((a) => a.id)).toEqual(BEFORE.entries.slice(-(again.length - 2)).map((e) => e.activity.id));
    expect(reload.watermark).toBe(String(BEFORE.next + 2));
  });
});
