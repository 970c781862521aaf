/**
 * `npm run playground`: the bot plus the Microsoft 365 Agents Playground (the Teams test client)
 * pointed at it, for trying the bot as Teams shows it, offline. Ctrl-C stops both.
 *
 *   PLAYGROUND_PORT (default 56150) and PORT (the bot's, default 3978) may be set.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '../../..');
const botPort = process.env.PORT ?? '3978';
const uiPort = process.env.PLAYGROUND_PORT ?? '56150';

const bot = spawn(process.execPath, ['--no-deprecation', path.join(root, 'dist/src/index.js')], { cwd: root, stdio: 'inherit', env: { ...process.env, PORT: botPort } });
const playground = spawn(path.join(root, 'node_modules/.bin/agentsplayground'), ['-p', uiPort, '-c', 'msteams', '--disable-telemetry'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, BOT_ENDPOINT: `http://127.0.0.1:${botPort}/api/messages` },
});
console.log(`Agents Playground on http://localhost:${uiPort} (Teams client), talking to the bot on http://localhost:${botPort}/api/messages`);

const stop = () => {
  bot.kill('SIGTERM');
  playground.kill('SIGTERM');
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
bot.on('exit', (code) => {
  playground.kill('SIGTERM');
  process.exitCode = code ?? 0;
});
playground.on('exit', () => bot.kill('SIGTERM'));
