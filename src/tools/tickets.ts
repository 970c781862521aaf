/**
 * `npm run tickets [-- --pending] [--json] [--data dir]`: lists the tickets partners opened, newest
 * last, with where each delivery stands. Reads the same storage the bot writes (STORAGE, DATA_DIR, ...).
 */
import dotenv from 'dotenv';
import { parseArgs } from 'node:util';
import { openStorageToRead } from '../channel/storageBackends';
import { parseConfig } from '../config';
import { TicketStore } from '../escalation/TicketStore';
import { readOnlyFolder } from '../storage/JournalStorage';
import { runCli } from './runCli';

const USAGE = 'usage: npm run tickets -- [--pending] [--json] [--data dir]';

async function main(): Promise<number> {
  dotenv.config({ quiet: true });
  const { values } = parseArgs({
    options: { data: { type: 'string' }, pending: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } },
  });
  const config = parseConfig(process.env);
  if (!config.success) {
    console.error(config.error.message);
    return 2;
  }
  // The bot's configured backend (STORAGE), or the file store in the folder given with --data; a file
  // store is read as it stands (documents and journal), without taking the folder from a running bot.
  const storage = values.data ? await readOnlyFolder(values.data) : await openStorageToRead(config.data.storage);
  const store = new TicketStore(storage, config.data.escalation.ticketPrefix);
  const all = await store.list();
  const tickets = values.pending ? all.filter((t) => t.delivery.status === 'pending') : all;
  if (values.json) {
    console.log(JSON.stringify(tickets, null, 2));
    return 0;
  }
  if (tickets.length === 0) {
    console.log(values.pending ? 'No tickets waiting for delivery.' : 'No tickets yet.');
    return 0;
  }
  for (const t of tickets) {
    const d = t.delivery;
    const delivery =
      d.status === 'delivered'
        ? `delivered ${d.deliveredAt ?? ''}`
        : d.status === 'pending'
          ? `waiting for delivery (${d.attempts} attempts${d.lastError ? `, last: ${d.lastError}` : ''})`
          : 'stored (no webhook configured)';
    console.log(`${t.id}  ${t.createdAt}  ${t.scriptTitle}  [${delivery}]`);
    console.log(`    partner: ${t.partner.name ?? t.partner.userId} via ${t.channelId}`);
    for (const { label, value } of t.summary) console.log(`    ${label}: ${value.replace(/\s+/g, ' ')}`);
    if (t.history.length > 0) {
      console.log('    asked before:');
      for (const h of t.history) console.log(`      - ${h.question} → ${h.band}${h.articleId ? ` (${h.articleId})` : ''}`);
    }
  }
  return 0;
}

runCli(main, USAGE);
