import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './realContent';

export interface BotProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly url: string;
  readonly logs: Record<string, unknown>[];
  readonly stderr: () => string;
  exited(): Promise<number | null>;
  /**
   * The first log line that matches, waiting for it: the bot gathers log lines and writes them together
   * (within a tenth of a second), so a line can arrive just after the reply or status that it goes with.
   */
  logged(match: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
}

/** How to start the process: a command that runs `node dist/src/index.js` (e.g. inside a namespace), and its user. */
export interface Launch {
  /** Put before `node dist/src/index.js`, e.g. `['unshare', '--mount', ...]`. */
  readonly prefix?: readonly string[];
  readonly uid?: number;
  readonly gid?: number;
}

/** Runs the built bot (`node dist/src/index.js`) as a real process on a free loopback port. */
export async function spawnBot(env: Record<string, string> = {}, launch: Launch = {}): Promise<BotProcess> {
  // Keep state and the question log out of the repository unless a test chooses a folder.
  const scratch: Record<string, string> = env.DATA_DIR ? {} : { DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'bot-data-')) };
  const child = spawnRaw({ PORT: '0', HOST: '127.0.0.1', ...scratch, ...env }, launch);
  const logs: Record<string, unknown>[] = [];
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    let buffered = '';
    child.stdout.on('data', (c: Buffer) => {
      buffered += c.toString('utf8');
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (!line.trim()) continue;
        const entry = JSON.parse(line) as Record<string, unknown>;
        logs.push(entry);
        if (typeof entry.port === 'number') resolve(entry.port);
      }
    });
    void exit.then((code) => reject(new Error(`bot exited with ${code} before listening: ${err}`)));
  });
  const logged = async (match: (line: Record<string, unknown>) => boolean, timeoutMs = 5000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = logs.find(match);
      if (hit) return hit;
      if (Date.now() > deadline) throw new Error(`no matching log line within ${timeoutMs} ms; got: ${logs.map((l) => String(l.msg)).join(', ')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { child, url: `http://127.0.0.1:${port}`, logs, stderr: () => err, exited: () => exit, logged };
}

/** Runs the built bot with the given environment (and no .env influence), for start-up checks. */
export function spawnRaw(env: Record<string, string>, launch: Launch = {}): ChildProcessWithoutNullStreams {
  const [command, ...args] = [...(launch.prefix ?? []), process.execPath, path.join(ROOT, 'dist/src/index.js')];
  return spawn(command as string, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', NODE_OPTIONS: '--no-deprecation', LOG_LEVEL: 'info', ...env },
    ...(launch.uid !== undefined ? { uid: launch.uid } : {}),
    ...(launch.gid !== undefined ? { gid: launch.gid } : {}),
  });
}

/** Runs the bot until it exits; returns its exit code and output. */
export function runToExit(env: Record<string, string>, timeoutMs = 15000, launch: Launch = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  // The storage is opened before the content is loaded: keep it out of the repository unless a test chooses a folder.
  const scratch: Record<string, string> = env.DATA_DIR ? {} : { DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'bot-data-')) };
  const child = spawnRaw({ ...scratch, ...env }, launch);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface ProcessReply {
  readonly type: string;
  readonly name?: string;
  readonly text?: string;
  readonly channelData?: { ticketId?: string; band?: string; delivery?: string; articleId?: string };
}

/**
 * A partner in one conversation with a bot process: each call sends a message with
 * `expectReplies` and returns the replies. Throws on a non-200 answer.
 */
export function partnerOf(conversationId: string, from: { id: string; name: string }, channelId = 'webchat') {
  return async (bot: BotProcess, text: string): Promise<ProcessReply[]> => {
    const res = await fetch(`${bot.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'message',
        id: `m-${Math.random().toString(36).slice(2)}`,
        channelId,
        deliveryMode: 'expectReplies',
        conversation: { id: conversationId },
        from,
        recipient: { id: 'bot' },
        text,
      }),
    });
    const body = (await res.json().catch(() => undefined)) as { activities?: ProcessReply[] } | undefined;
    if (res.status !== 200) throw new Error(`"${text}" got ${res.status}: ${JSON.stringify(body)}`);
    return body?.activities ?? [];
  };
}
