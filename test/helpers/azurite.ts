import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';

/** A local Azure Blob service (Azurite) for tests. */
export interface Azurite {
  /** Connection string for the well-known development account on this instance. */
  readonly connectionString: string;
  readonly port: number;
  /** Stops the service (SIGTERM, then SIGKILL after 5 s) and removes its working directory. */
  stop(): Promise<void>;
}

// The project root, whether this runs from test/helpers (jest) or dist/test/helpers (compiled benchmarks).
const ROOT = path.resolve(__dirname, __dirname.includes(`${path.sep}dist${path.sep}`) ? '../../..' : '../..');
const BIN = path.join(ROOT, 'node_modules/.bin/azurite-blob');
/** The development account's published key (the same for every Azurite). */
const ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
const STARTUP_TIMEOUT_MS = 20_000;
const KILL_AFTER_MS = 5_000;
const MAX_STDERR_CHARS = 8_000;

/**
 * Starts Azurite's blob service on a free loopback port, in memory, and resolves once the port accepts
 * connections. Its working directory is a fresh temp dir (removed by `stop`), so it leaves nothing in the
 * repository. Rejects after 20 s, or as soon as Azurite exits, with its stderr. If the chosen port is
 * taken between choosing and binding, tries again with another port.
 */
export async function startAzurite(): Promise<Azurite> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(await freePort());
    } catch (err) {
      lastError = err;
      if (!(err instanceof Error && /EADDRINUSE/.test(err.message))) throw err;
    }
  }
  throw lastError;
}

async function startOnce(port: number): Promise<Azurite> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'azurite-'));
  // --location cannot be combined with --inMemoryPersistence (Azurite refuses to start), so the temp
  // dir is only the working directory; in memory, Azurite writes nothing there anyway.
  const args = ['--silent', '--inMemoryPersistence', '--disableTelemetry', '--blobHost', '127.0.0.1', '--blobPort', String(port)];
  // Run the script with this Node rather than through the .bin shim's `#!/usr/bin/env node`, so the
  // pid is Azurite's own and signals reach it.
  const child: ChildProcessByStdio<null, Readable, Readable> = spawn(process.execPath, [realpathSync(BIN), ...args], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stdout.resume();
  child.stderr.on('data', (chunk: Buffer) => {
    if (stderr.length < MAX_STDERR_CHARS) stderr += chunk.toString('utf8');
  });
  let exitInfo: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exitInfo = signal ? `signal ${signal}` : `code ${code}`;
      resolve();
    });
    child.once('error', (err) => {
      exitInfo = `spawn error: ${err.message}`;
      resolve();
    });
  });
  // Should the test process end without calling stop(), do not leave Azurite running.
  const killOnExit = () => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (exitInfo === undefined) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
        await exited;
        clearTimeout(timer);
      }
      process.removeListener('exit', killOnExit);
      await rm(dir, { recursive: true, force: true });
    })();
    return stopping;
  };

  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  for (;;) {
    if (exitInfo !== undefined) {
      await stop();
      throw new Error(`Azurite exited (${exitInfo}) before listening on 127.0.0.1:${port}. stderr:\n${stderr || '(empty)'}`);
    }
    if (await accepts(port)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`Azurite did not accept connections on 127.0.0.1:${port} within ${STARTUP_TIMEOUT_MS} ms. stderr:\n${stderr || '(empty)'}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  return {
    port,
    connectionString:
      `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${ACCOUNT_KEY};` +
      `BlobEndpoint=http://127.0.0.1:${port}/devstoreaccount1;`,
    stop,
  };
}

/** A loopback port that was free a moment ago. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('could not read the port of a listening socket'))));
    });
  });
}

/** Whether a TCP connection to 127.0.0.1:port is accepted (within 1 s). */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
