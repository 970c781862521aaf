/**
 * `npm run bench:widget`: what the portal widget costs a partner. Against the real bot process
 * (file storage in a temporary folder) on loopback, with Debian's headless Chromium:
 *   1. bytes: the loader and the Web Chat bundle, as sent (gzip) and unpacked;
 *   2. in the browser, with a cold cache and again warm (a reload): open the widget → welcome shown,
 *      and question sent → answer shown (time to first answer = open → answer);
 *   3. the Direct Line round trip alone: post a question, read the answer (sequential, HTTP polling API).
 *
 *   npm run bench:widget -- [--runs 5] [--turns 300]
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { benchArgs, benchQuestions, percentile, ROOT, startServer } from './harness';

const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

async function size(url: string): Promise<{ wire: number; raw: number }> {
  const gz = await fetch(url, { headers: { 'accept-encoding': 'gzip' } });
  const wire = Number(gz.headers.get('content-length'));
  const raw = (await (await fetch(url, { headers: { 'accept-encoding': 'identity' } })).arrayBuffer()).byteLength;
  return { wire, raw };
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return `median ${percentile(s, 50).toFixed(0)} ms (min ${(s[0] ?? 0).toFixed(0)}, max ${(s.at(-1) ?? 0).toFixed(0)})`;
};

async function main(): Promise<void> {
  const { values } = benchArgs({ options: { runs: { type: 'string', default: '5' }, turns: { type: 'string', default: '300' } } });
  const runs = Math.min(20, Math.max(1, Number(values.runs)));
  const turns = Math.min(2000, Math.max(10, Number(values.turns)));
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'bench-widget-'));
  const { port, child } = await startServer(path.join(ROOT, 'dist/src/index.js'), { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', DATA_DIR: dataDir });
  const base = `http://127.0.0.1:${port}`;
  try {
    const loader = await size(`${base}/widget.js`);
    const bundle = await size(`${base}/webchat.js`);
    const page = await size(`${base}/`);
    console.log(`loader /widget.js: ${kb(loader.wire)} gzip (${kb(loader.raw)} unpacked), loaded with the page`);
    console.log(`Web Chat bundle /webchat.js: ${kb(bundle.wire)} gzip (${kb(bundle.raw)} unpacked), loaded when the launcher is hovered, focused or opened`);
    console.log(`demo page /: ${kb(page.wire)} gzip`);

    const cold = { ready: [] as number[], answer: [] as number[], roundTrip: [] as number[], bytes: [] as number[] };
    const warm = { ready: [] as number[], answer: [] as number[] };
    const questions = ['when is WPC?', 'what is BPOS?', 'can I bill my customers directly for BPOS?', 'what is office 365?'];
    for (let run = 0; run < runs; run += 1) {
      const context = await chromium.launchPersistentContext(mkdtempSync(path.join(os.tmpdir(), 'bench-chromium-')), { executablePath: '/usr/bin/chromium', headless: true, args: ARGS });
      const tab = context.pages()[0] ?? (await context.newPage());
      let bytes = 0;
      tab.on('requestfinished', (req) => void req.sizes().then((s) => (bytes += s.responseBodySize + s.responseHeadersSize), () => undefined));
      const once = async (into: { ready: number[]; answer: number[]; roundTrip?: number[] }, question: string) => {
        // Cold: from the click on the launcher. Warm: the panel reopens by itself, so from the reload.
        let t0 = Date.now();
        await tab.goto(base, { waitUntil: 'load' });
        await tab.locator('.psc-launcher').waitFor({ state: 'attached' });
        if (await tab.locator('.psc-panel').isHidden()) {
          t0 = Date.now();
          await tab.getByRole('button', { name: /ask partner support/i }).click();
        }
        const input = tab.locator('.psc-panel [data-id="webchat-sendbox-input"]');
        await tab.locator('.psc-panel .webchat__basic-transcript__activity').first().waitFor({ timeout: 30_000 });
        const ready = Date.now();
        await tab.waitForTimeout(400); // let the rest of a resumed history arrive (not counted)
        const before = await tab.locator('.psc-panel .webchat__basic-transcript__activity').count();
        await input.fill(question);
        const sent = Date.now();
        await input.press('Enter');
        // The partner's message, then the bot's answer.
        await tab.locator('.psc-panel .webchat__basic-transcript__activity').nth(before + 1).waitFor({ timeout: 30_000 });
        const answered = Date.now();
        into.ready.push(ready - t0);
        into.answer.push(answered - t0 - (sent - ready));
        into.roundTrip?.push(answered - sent);
      };
      await once(cold, questions[run % questions.length] as string);
      cold.bytes.push(bytes);
      await once(warm, questions[(run + 1) % questions.length] as string);
      await context.close();
    }
    console.log(`\nin Chromium, ${runs} runs, each a fresh profile:`);
    console.log(`  cold cache: open → chat shown ${stats(cold.ready)}; time to first answer (open → answer shown) ${stats(cold.answer)}`);
    console.log(`  question sent → answer shown: ${stats(cold.roundTrip)}`);
    console.log(`  bytes over the wire for the page, widget, bundle and first answer: ${kb(percentile([...cold.bytes].sort((a, b) => a - b), 50))} (median)`);
    console.log(`  warm (reload with the panel open, bundle cached, conversation resumed): reload → history shown ${stats(warm.ready)}; → answer ${stats(warm.answer)}`);

    // The Direct Line round trip alone.
    const issued = (await (await fetch(`${base}/api/webchat/token`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })).json()) as { token: string; conversationId: string };
    const auth = { authorization: `Bearer ${issued.token}`, 'content-type': 'application/json' };
    const dl = `${base}/v3/directline/conversations`;
    await fetch(dl, { method: 'POST', headers: auth });
    const all = benchQuestions();
    const ms: number[] = [];
    let watermark = '';
    for (let i = 0; i < turns; i += 1) {
      const t = process.hrtime.bigint();
      await fetch(`${dl}/${issued.conversationId}/activities`, { method: 'POST', headers: auth, body: JSON.stringify({ type: 'message', text: all[i % all.length] }) }).then((r) => r.json());
      const page = (await (await fetch(`${dl}/${issued.conversationId}/activities?watermark=${watermark}`, { headers: auth })).json()) as { watermark: string; activities: { from: { role?: string } }[] };
      if (!page.activities.some((a) => a.from.role === 'bot')) throw new Error('no reply in the transcript');
      watermark = page.watermark;
      ms.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    ms.sort((a, b) => a - b);
    console.log(`\nDirect Line round trip (post question + read reply, file storage), ${turns} turns one at a time: p50 ${percentile(ms, 50).toFixed(1)} ms, p99 ${percentile(ms, 99).toFixed(1)} ms`);
  } finally {
    child.kill('SIGTERM');
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
