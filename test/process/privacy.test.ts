import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readLog } from '../../src/storage/QuestionLog';
import { FORMER_BUILT_IN_SALT } from '../../src/config';
import { partnerOf, runToExit, spawnBot, type BotProcess } from '../helpers/botProcess';

async function stop(bot: BotProcess): Promise<void> {
  bot.child.kill('SIGTERM');
  await bot.exited();
}

describe('the question-log salt in production', () => {
  it('refuses to start with the salt older versions had built in, naming the variable', async () => {
    const { code, stderr } = await runToExit({ NODE_ENV: 'production', PORT: '0', QUESTION_LOG_SALT: FORMER_BUILT_IN_SALT, DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'salt-')) });
    expect(code).toBe(1);
    expect(stderr).toMatch(/QUESTION_LOG_SALT: is the salt older versions had built in/);
  });

  it('without one, generates a salt on first start, keeps it in DATA_DIR, and hashes alike after a restart', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'salt-'));
    const ask = partnerOf('private-conversation-42', { id: 'private-partner-7', name: 'Jane' }, 'emulator');
    const hashes: unknown[] = [];
    for (let run = 0; run < 2; run += 1) {
      const bot = await spawnBot({ NODE_ENV: 'production', DATA_DIR: dataDir });
      try {
        await ask(bot, 'when is WPC?');
        const turn = await bot.logged((l) => l.msg === 'turn');
        expect(turn?.conversationId).toMatch(/^[0-9a-f]{16}$/);
        expect(JSON.stringify(bot.logs)).not.toMatch(/private-conversation-42|private-partner-7/);
        hashes.push(turn?.conversationId);
      } finally {
        await stop(bot);
      }
    }
    expect(hashes[1]).toBe(hashes[0]);
    const { questions } = await readLog(path.join(dataDir, 'questions'), new Date(Date.now() - 86_400_000), new Date());
    expect(questions.map((q) => q.conversation)).toEqual([hashes[0], hashes[0]]);
  });
});
