import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnBot, runToExit } from '../helpers/botProcess';
import { messageActivity, post, startReceiver } from '../helpers/httpHarness';
import { ROOT } from '../helpers/realContent';

describe('the bot process', () => {
  it('on SIGTERM finishes the turn in flight, refuses new work, and exits 0', async () => {
    const receiver = await startReceiver(1500); // the channel is slow to accept the reply
    const bot = await spawnBot();
    try {
      const inFlight = post(bot.url, messageActivity('when is WPC?', { serviceUrl: receiver.serviceUrl }));
      await receiver.waitForArrival(1); // the bot is mid-turn, sending its reply to the slow channel
      bot.child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 200));
      // A request arriving during the drain is either refused at the socket or answered 503: never served.
      const late = await post(bot.url, messageActivity('what is BPOS?', { deliveryMode: 'expectReplies' })).then(
        (r) => r.status,
        () => 'connection refused',
      );
      const res = await inFlight;
      expect(res.status).toBe(200);
      expect(receiver.received).toHaveLength(1);
      expect(receiver.received[0]?.activity).toMatchObject({ channelData: { articleId: 'wpc-2011' } });
      expect([503, 'connection refused']).toContain(late);
      expect(await bot.exited()).toBe(0);
      expect(bot.logs.find((l) => l.msg === 'shutting down')).toMatchObject({ signal: 'SIGTERM', inFlight: 1 });
      expect(bot.logs.find((l) => l.msg === 'stopped')).toMatchObject({ drained: true });
    } finally {
      bot.child.kill('SIGKILL');
      await receiver.close();
    }
  });

  it('refuses to start on bad configuration, naming every bad variable at once', async () => {
    const { code, stderr } = await runToExit({ PORT: 'abc', LOG_LEVEL: 'loud', MicrosoftAppType: 'Sometimes' });
    expect(code).toBe(1);
    expect(stderr).toMatch(/PORT/);
    expect(stderr).toMatch(/LOG_LEVEL/);
    expect(stderr).toMatch(/MicrosoftAppType/);
  });

  it('refuses to start on a broken knowledge base, pointing at file and line', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kb-broken-'));
    try {
      await fs.cp(path.join(ROOT, 'knowledge'), dir, { recursive: true });
      const file = path.join(dir, 'wpc', 'wpc-2011.md');
      const text = await fs.readFile(file, 'utf8');
      await fs.writeFile(file, text.replace(/^asOf: .*$/m, 'asOf: sometime'));
      const { code, stderr } = await runToExit({ PORT: '0', KNOWLEDGE_DIR: dir });
      expect(code).toBe(1);
      expect(stderr).toMatch(/wpc\/wpc-2011\.md:\d+: .*asOf/);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses to start on a broken dialogs folder, pointing at the file and line of every mistake, instead of half-working', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dialogs-broken-'));
    try {
      await fs.cp(path.join(ROOT, 'dialogs'), dir, { recursive: true });
      const edit = async (name: string, change: (text: string) => string) => fs.writeFile(path.join(dir, name), change(await fs.readFile(path.join(dir, name), 'utf8')));
      await edit('billing.yaml', (t) => t.replace(/kind: choice/, 'kind: multiple-choice'));
      await edit('messages.yaml', (t) => t.replace(/^staffOpen: .*$/m, 'staffOpen: Open since {time}'));
      await edit('phrases.yaml', (t) => t.replace("- '\\bescalat\\w*\\b'", "- '\\bescalat(\\w*\\b'"));
      const { code, stderr } = await runToExit({ PORT: '0', DIALOGS_DIR: dir });
      expect(code).toBe(1);
      expect(stderr).toMatch(/billing\.yaml:\d+: .*kind/);
      expect(stderr).toMatch(/messages\.yaml:\d+: staffOpen: unknown placeholder \{time\}/);
      expect(stderr).toMatch(/phrases\.yaml:\d+: talkToPerson\.patterns: not a regular expression/);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('lists stored tickets for staff with `npm run tickets` (no webhook configured)', async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'tickets-cli-'));
    const bot = await spawnBot({ DATA_DIR: dataDir });
    try {
      const conversation = { id: 'cli-conv' };
      for (const text of ['talk to a person', 'Need a quote for a customer', 'Sam Lee', 'sam@fabrikam.com', 'Fabrikam', 'skip', 'skip', 'yes']) {
        const res = await post(bot.url, { ...messageActivity(text, { deliveryMode: 'expectReplies' }), conversation });
        expect(res.status).toBe(200);
      }
      bot.child.kill('SIGTERM');
      await bot.exited();
      const out = await new Promise<string>((resolve, reject) => {
        execFile(process.execPath, [path.join(ROOT, 'dist/src/tools/tickets.js'), '--data', dataDir], { cwd: ROOT }, (err, stdout) =>
          err ? reject(err) : resolve(stdout),
        );
      });
      expect(out).toMatch(/PS-10001/);
      expect(out).toMatch(/stored/);
      expect(out).toMatch(/sam@fabrikam\.com/);
      expect(out).toMatch(/Need a quote for a customer/);
    } finally {
      bot.child.kill('SIGKILL');
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });
});
