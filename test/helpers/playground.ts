import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { ROOT } from './realContent';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The Microsoft 365 Agents Playground (the Teams test client), offline, pointed at a bot. */
export async function startPlayground(botUrl: string): Promise<{ url: string; stop(): void }> {
  const port = await freePort();
  const child: ChildProcess = spawn(path.join(ROOT, 'node_modules/.bin/agentsplayground'), ['-p', String(port), '-c', 'msteams', '--disable-telemetry'], {
    cwd: mkdtempSync(path.join(os.tmpdir(), 'playground-')),
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.tmpdir(), TEAMSAPPTESTER_BROWSER: 'none', BOT_ENDPOINT: `${botUrl}/api/messages` },
    stdio: 'ignore',
  });
  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ok = await fetch(url).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('the Agents Playground did not start within 30 s');
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, stop: () => child.kill('SIGKILL') };
}

/** Headless Debian Chromium, as this machine runs it. */
export async function openBrowser(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await chromium.launchPersistentContext(mkdtempSync(path.join(os.tmpdir(), 'chromium-')), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return { context, page };
}
