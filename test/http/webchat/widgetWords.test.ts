import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import { DirectLineClient, issueToken } from '../../helpers/directLineClient';
import { scriptLiteral, widgetWords } from '../../../src/http/webchat/widgetWords';
import { startBot, type RunningBot } from '../../helpers/httpHarness';
import { realContent, ROOT } from '../../helpers/realContent';

/** The words object `widget.js` was served with, read back the way the browser reads it. */
function wordsIn(script: string): Record<string, string> {
  const literal = /\n {2}var words = (.*);\n/.exec(script)?.[1];
  if (!literal) throw new Error('no words in the served widget.js');
  return vm.runInNewContext(`(${literal})`) as Record<string, string>;
}

const HOSTILE_TITLE = 'Desk "one" </script><script>window.__xss=1</script> <!-- \u2028 $& \\ end';

describe("widget.js carries the widget's words from dialogs/messages.yaml", () => {
  let shipped: RunningBot;
  let edited: RunningBot;
  let dir: string;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dialogs-'));
    await fs.cp(path.join(ROOT, 'dialogs'), dir, { recursive: true });
    const file = path.join(dir, 'messages.yaml');
    const text = await fs.readFile(file, 'utf8');
    const changed = text
      // A YAML double-quoted string, as staff might write it (with \u2028 as an escape).
      .replace('widgetTitle: Partner support', () => `widgetTitle: ${JSON.stringify(HOSTILE_TITLE).replace('\u2028', '\\u2028')}`)
      .replace('widgetTryAgain: Try again', "widgetTryAgain: 'Retry'");
    expect(changed).not.toBe(text);
    await fs.writeFile(file, changed);
    [shipped, edited] = await Promise.all([startBot(), startBot({}, undefined, undefined, dir)]);
  });
  afterAll(async () => {
    await Promise.all([shipped.close(), edited.close()]);
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('serves the shipped words: every widget message of messages.yaml, in a script that parses', async () => {
    const script = await (await fetch(`${shipped.url}/widget.js`)).text();
    expect(() => new vm.Script(script)).not.toThrow();
    expect(script).not.toContain('__WIDGET_WORDS__');
    const words = wordsIn(script);
    expect(words).toEqual(widgetWords((await realContent()).messages));
    expect(words).toMatchObject({ title: 'Partner support', launcherLabel: 'Ask partner support', newButton: 'New', tryAgain: 'Try again', connecting: 'Connecting\u2026' });
  });

  it('a staff edit reaches the served script word for word, with a new ETag, and cannot break out of it', async () => {
    const before = await fetch(`${shipped.url}/widget.js`);
    await before.text();
    const res = await fetch(`${edited.url}/widget.js`, { headers: { 'if-none-match': before.headers.get('etag') ?? '' } });
    // A browser holding the shipped file revalidates and gets the new one, not a 304.
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).not.toBe(before.headers.get('etag'));
    const script = await res.text();
    expect(() => new vm.Script(script)).not.toThrow();
    expect(wordsIn(script)).toMatchObject({ title: HOSTILE_TITLE, tryAgain: 'Retry', launcherLabel: 'Ask partner support' });
    const literal = /\n {2}var words = (.*);\n/.exec(script)?.[1] ?? '';
    expect(literal).not.toMatch(/[<>&\u2028\u2029]/);
    // The same bot serves the same bytes again: its ETag is stable.
    const again = await fetch(`${edited.url}/widget.js`, { headers: { 'if-none-match': res.headers.get('etag') ?? '' } });
    expect(again.status).toBe(304);
  });
});

describe("the bot's name on its own Direct Line comes from botName in messages.yaml", () => {
  it.each([
    ['shipped', 'Partner support bot'],
    ['edited', 'Contoso partner helper'],
  ])('%s', async (_which, name) => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dialogs-'));
    await fs.cp(path.join(ROOT, 'dialogs'), dir, { recursive: true });
    const file = path.join(dir, 'messages.yaml');
    await fs.writeFile(file, (await fs.readFile(file, 'utf8')).replace('botName: Partner support bot', `botName: ${name}`));
    const bot = await startBot({}, undefined, undefined, dir);
    try {
      const issued = await issueToken(bot.url);
      const client = new DirectLineClient(bot.url, issued.token, issued.conversationId);
      await client.start();
      const reply = await client.ask('hello');
      expect(reply.from).toMatchObject({ role: 'bot', name });
    } finally {
      await bot.close();
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});

describe('scriptLiteral', () => {
  it.each([
    ['a closing script tag', '</script><script>alert(1)</script>'],
    ['an HTML comment opener', '<!-- x'],
    ['quotes of both kinds', `he said "no" and 'yes'`],
    ['line and paragraph separators', 'a\u2028b\u2029c\nd'],
    ['entities and backslashes', '&amp; \\u003c \\'],
  ])('keeps %s as data, inline in an HTML script element too', (_name, value) => {
    const literal = scriptLiteral({ value });
    expect(literal).not.toMatch(/[<>&\u2028\u2029]/);
    expect(vm.runInNewContext(`(${literal})`)).toEqual({ value });
    // Inline in a page: the script element ends only where the page ends it.
    const page = `<script>var words = ${literal};</script>`;
    expect(page.indexOf('</script')).toBe(page.length - '</script>'.length);
  });
});
