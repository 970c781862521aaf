import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../helpers/realContent';

function kbCheck(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(ROOT, 'dist/src/tools/kbCheck.js'), ...args], { cwd: ROOT }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` });
    });
  });
}

async function edit(file: string, change: (text: string) => string): Promise<void> {
  await fs.writeFile(file, change(await fs.readFile(file, 'utf8')));
}

describe('npm run kb:check', () => {
  it('passes on the bundled knowledge base and scripts (warnings only)', async () => {
    const { code, out } = await kbCheck([]);
    expect(code).toBe(0);
    // The bundled articles are marked historical, and the staff's evaluation set reaches every one.
    expect(out).toMatch(/OK \(0 warnings\)/);
  });

  it('prints every problem of a broken copy at once, as file:line: message, and exits 1', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kb-check-'));
    const kb = path.join(dir, 'knowledge');
    const dialogs = path.join(dir, 'dialogs');
    try {
      await fs.cp(path.join(ROOT, 'knowledge'), kb, { recursive: true });
      await fs.cp(path.join(ROOT, 'dialogs'), dialogs, { recursive: true });
      await edit(path.join(kb, 'wpc/wpc-2011.md'), (t) => t.replace('topic: WPC', 'topic: WPC\ntopik: typo')); // unknown field
      await edit(path.join(kb, 'billing/partner-billing-policy.md'), (t) => t.replace(/^title: .*\n/m, '')); // missing field
      await edit(path.join(kb, 'education/live-at-edu.md'), (t) => t.replace('id: live-at-edu', 'id: competitors')); // duplicate id
      await edit(path.join(kb, 'office/office-web-apps-adoption.md'), (t) => t.replace(/related: \[/, 'related: [no-such-article, ')); // dangling related
      await edit(path.join(kb, 'bpos/bpos-health-dashboard.md'), (t) => t.replace(/---\n[^]*$/, (m) => m.replace(/\n---\n[^]*/, '\n---\n\n## Only a heading\n'))); // empty short answer
      await edit(path.join(kb, 'bpos/bpos-editions.md'), (t) => t.replace('asOf: mid 2010', 'asOf: 2099-01')); // future date
      await edit(path.join(kb, 'bpos/bpos-seats-growth.md'), (t) => t.replace('questions:\n', 'questions:\n  - What is BPOS?\n')); // question collision
      await edit(path.join(kb, 'synonyms.yaml'), (t) => `${t}- term: zune\n  also: [zune marketplace]\n`); // maps to nothing
      await fs.writeFile(path.join(kb, 'partner-program/yaml-broken.md'), '---\nid: yaml-broken\ntitle: "unclosed\ntopic: x\n---\nBody.\n'); // YAML syntax
      await edit(path.join(dialogs, 'billing.yaml'), (t) => t.replace('kind: choice', 'kind: multiple')); // broken script
      await edit(path.join(dialogs, 'phrases.yaml'), (t) => t.replace("'\\b(?:my|the)\\s+(?:ticket|request|case)\\b", "'(?:my|the")); // a pattern that does not compile
      await edit(path.join(dialogs, 'phrases.yaml'), (t) => t.replace('goodbye:\n  phrases: [bye,', 'goodbye:\n  phrases: [cheers, bye,')); // in thanks too
      await edit(path.join(dialogs, 'messages.yaml'), (t) => t.replace('staffTaken: Taken by {name}', 'staffTaken: Taken by {staff}')); // a placeholder it is not given
      await edit(path.join(dialogs, 'messages.yaml'), (t) => t.replace('widgetTryAgain: Try again', 'widgetTryAgain: Try {again}')); // the portal widget's words too
      // A wrong type and an unknown source in the same article: both in this run, not one after the other.
      await edit(path.join(kb, 'partner-program/competitors.md'), (t) => t.replace(/^tags: \[(.*)\]$/m, 'tags: $1').replace(/^source: .*$/m, 'source: not-listed.txt'));
      await edit(path.join(kb, 'bpos/bpos-overview.md'), (t) => t.replace('historical: true\n', '')); // no longer historical: stale
      await edit(path.join(kb, 'bpos/bpos-2010-upgrade.md'), (t) => t.replace('topic: BPOS', 'topic: bpos')); // topic in another case

      const { code, out } = await kbCheck(['--knowledge', kb, '--dialogs', dialogs]);
      expect(code).toBe(1);
      const expectations: [string, RegExp][] = [
        ['unknown field', /wpc\/wpc-2011\.md:\d+: unknown field\(s\): topik/],
        ['missing field', /billing\/partner-billing-policy\.md:\d+: title is required/],
        ['duplicate id', /duplicate id "competitors"/],
        ['dangling related', /office\/office-web-apps-adoption\.md:\d+: related article "no-such-article" does not exist/],
        ['empty short answer', /bpos\/bpos-health-dashboard\.md:\d+: the short answer must be a plain paragraph|bpos\/bpos-health-dashboard\.md:\d+: the body must start/],
        ['future asOf', /bpos\/bpos-editions\.md:\d+: asOf "2099-01" is in the future/],
        ['question collision', /bpos\/bpos-seats-growth\.md:\d+: question "What is BPOS\?" is also a question of article "bpos-overview"/],
        ['synonym to nothing', /synonyms\.yaml:\d+: synonym term "zune" maps to nothing/],
        ['YAML syntax', /partner-program\/yaml-broken\.md:\d+: YAML/],
        ['broken script', /billing\.yaml:\d+: .*kind/],
        ['broken phrase pattern', /phrases\.yaml:\d+: ticketStatus\.patterns: not a regular expression/],
        ['small talk in two entries', /phrases\.yaml:\d+: goodbye\.phrases: "cheers" is also listed under thanks \(line \d+\)/],
        ['staff card placeholder', /messages\.yaml:\d+: staffTaken: unknown placeholder \{staff\}; it may use \{name\}/],
        ['widget word placeholder', /messages\.yaml:\d+: widgetTryAgain: unknown placeholder \{again\}; it takes none/],
        ['tags as text', /partner-program\/competitors\.md:\d+: tags must be a list, not text: write tags: \[/],
        ['source of the same article', /partner-program\/competitors\.md:\d+: source "not-listed\.txt" is not listed/],
        ['stale, not historical', /bpos\/bpos-overview\.md: warning: asOf "[^"]+" is more than 3 years old/],
        ['topic case', /bpos\/bpos-2010-upgrade\.md:4: warning: topic "bpos" is read as "BPOS"/],
      ];
      const missing = expectations.filter(([, re]) => !re.test(out)).map(([name]) => name);
      expect({ missing, out }).toEqual({ missing: [], out });
      // Historical articles get no age warning: only the one no longer marked.
      expect(out.match(/years old/g)).toHaveLength(1);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('still lists the escalation scripts when another file of the dialogs folder has an error', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kb-check-'));
    try {
      await fs.cp(path.join(ROOT, 'dialogs'), dir, { recursive: true });
      await edit(path.join(dir, 'messages.yaml'), (t) => t.replace('widgetTryAgain: Try again', 'widgetTryAgain: Try {again}'));
      const { code, out } = await kbCheck(['--dialogs', dir]);
      expect(code).toBe(1);
      expect(out).toMatch(/messages\.yaml:\d+: .*again/);
      expect(out).toMatch(/^2 escalation scripts: billing, support$/m);
      // A broken script is not listed as if it loaded.
      await edit(path.join(dir, 'billing.yaml'), (t) => t.replace('kind: choice', 'kind: multiple'));
      const broken = await kbCheck(['--dialogs', dir]);
      expect(broken.out).toMatch(/billing\.yaml:\d+/);
      expect(broken.out).not.toMatch(/escalation scripts:/);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
