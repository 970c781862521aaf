import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { webFiles } from '../../../src/http/webchat/assets';
import { startBot, type RunningBot } from '../../helpers/httpHarness';
import { ROOT } from '../../helpers/realContent';

describe('what the bot serves to browsers', () => {
  let bot: RunningBot;
  beforeAll(async () => {
    bot = await startBot();
  });
  afterAll(() => bot.close());

  it('GET / is the demo portal page, embedding the widget with one script tag', async () => {
    const res = await fetch(`${bot.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html.match(/<script src="\/widget\.js"[^>]*>/g)).toHaveLength(1);
  });

  it('GET /widget.js: the loader, gzipped, revalidated by ETag, pointing at the pinned bundle', async () => {
    const res = await fetch(`${bot.url}/widget.js`, { headers: { 'accept-encoding': 'gzip' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/javascript/);
    const text = await res.text();
    expect(text).toContain(`/webchat.js?v=${webFiles().webChatVersion}`);
    expect(text).toContain('/api/webchat/token');
    const etag = res.headers.get('etag') ?? '';
    const again = await fetch(`${bot.url}/widget.js`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
  });

  it('GET /webchat.js: the official Web Chat bundle, cached for good when versioned', async () => {
    const gz = await fetch(`${bot.url}/webchat.js?v=${webFiles().webChatVersion}`, { headers: { 'accept-encoding': 'gzip' } });
    expect(gz.status).toBe(200);
    expect(gz.headers.get('cache-control')).toMatch(/immutable/);
    const body = Buffer.from(await gz.arrayBuffer());
    // fetch unpacks gzip itself; the bytes are the package's own bundle.
    const original = readFileSync(webFiles().bundle);
    expect(body.equals(original) || gunzipSync(body).equals(original)).toBe(true);
    expect(original.includes('renderWebChat')).toBe(true);
    const unversioned = await fetch(`${bot.url}/webchat.js`);
    expect(unversioned.headers.get('cache-control')).not.toMatch(/immutable/);
  });
});

describe('where the compiled bot finds the widget files', () => {
  it('serves the build output (dist/web), whose bundle is the official one, so production needs no Web Chat package', () => {
    const built = webFiles(path.join(ROOT, 'dist', 'src', 'channel', 'webchat'));
    const source = webFiles();
    expect(built.dir).toBe(path.join(ROOT, 'dist', 'web'));
    expect(built.webChatVersion).toBe(source.webChatVersion);
    expect(readFileSync(built.bundle).equals(readFileSync(source.bundle))).toBe(true);
    expect(readFileSync(path.join(built.dir, 'widget.js'), 'utf8')).toBe(readFileSync(path.join(source.dir, 'widget.js'), 'utf8'));
  });
});
