import { promises as fs } from 'node:fs';
import path from 'node:path';
import { formatProblem } from '../../src/content/Problem';
import { loadDialogs } from '../../src/dialogs/loadDialogs';
import { dialogsCopy } from '../helpers/dialogsCopy';
import { ROOT } from '../helpers/realContent';

const copy = dialogsCopy();
const { edit } = copy;

async function lineOf(file: string, prefix: string): Promise<number> {
  return (await fs.readFile(path.join(copy.dir(), file), 'utf8')).split('\n').findIndex((l) => l.startsWith(prefix)) + 1;
}

async function problems(): Promise<string[]> {
  const loaded = await loadDialogs(copy.dir());
  return loaded.success ? [] : loaded.problems.map(formatProblem);
}

describe('loadDialogs', () => {
  it('loads the bundled folder: messages, phrases and every script', async () => {
    const loaded = await loadDialogs(path.join(ROOT, 'dialogs'));
    if (!loaded.success) throw new Error(loaded.problems.map(formatProblem).join('\n'));
    expect(loaded.warnings).toEqual([]);
    expect(loaded.data.scripts.map((s) => s.id).sort()).toEqual(['billing', 'support']);
    expect(loaded.data.messages.staffOpen).toBe('Open: nobody has taken it yet');
    expect(loaded.data.phrases.smallTalk.phrases.get('hello')).toBe('greeting');
    expect(loaded.data.phrases.answers.yes.has('go ahead')).toBe(true);
  });

  it('reports the problems of every file in one pass, each as file:line', async () => {
    await edit('messages.yaml', (t) => t.replace(/^staffTaken: .*$/m, 'staffTaken: Taken by {who}'));
    await edit('phrases.yaml', (t) => t.replace("- '\\bescalat\\w*\\b'", "- '\\bescalat(\\w*\\b'"));
    await edit('billing.yaml', (t) => t.replace('kind: choice', 'kind: multiple'));
    const found = await problems();
    const messagesLine = await lineOf('messages.yaml', 'staffTaken:');
    const phrasesLine = (await fs.readFile(path.join(copy.dir(), 'phrases.yaml'), 'utf8')).split('\n').findIndex((l) => l.includes("'\\bescalat(")) + 1;
    expect(found).toEqual(
      expect.arrayContaining([
        `${path.join(copy.dir(), 'messages.yaml')}:${messagesLine}: staffTaken: unknown placeholder {who}; it may use {name}`,
        expect.stringMatching(new RegExp(`^${path.join(copy.dir(), 'phrases.yaml').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${phrasesLine}: talkToPerson\\.patterns: not a regular expression`)),
        expect.stringMatching(/billing\.yaml:\d+: .*kind/),
      ]),
    );
    expect(found).toHaveLength(3);
  });

  it('reports a missing folder as problems, not a throw', async () => {
    const missing = path.join(copy.dir(), 'no-such-folder');
    const loaded = await loadDialogs(missing);
    expect(loaded.success ? [] : loaded.problems.map(formatProblem)).toEqual([
      `${path.join(missing, 'messages.yaml')}: cannot read: ENOENT`,
      `${path.join(missing, 'phrases.yaml')}: cannot read: ENOENT`,
      `${missing}: cannot read the folder: ENOENT`,
    ]);
  });

  it('refuses button labels the bot would not recognise when pressed, at their line; listing them in phrases.yaml fixes it', async () => {
    await edit('messages.yaml', (t) => t.replace('yesButton: "Yes"', 'yesButton: Go for it').replace('talkToPersonButton: Talk to a person', 'talkToPersonButton: Ask our team'));
    expect(await problems()).toEqual([
      `${path.join(copy.dir(), 'messages.yaml')}:${await lineOf('messages.yaml', 'yesButton:')}: yesButton: pressing "Go for it" sends those words, which phrases.yaml does not list under yesAnswer; add them there`,
      `${path.join(copy.dir(), 'messages.yaml')}:${await lineOf('messages.yaml', 'talkToPersonButton:')}: talkToPersonButton: pressing "Ask our team" sends those words, which phrases.yaml does not list under talkToPerson; add them there`,
    ]);
    await edit('phrases.yaml', (t) => t.replace('yesAnswer: ["yes",', 'yesAnswer: ["yes", go for it,').replace('talkToPerson:\n  phrases: [', 'talkToPerson:\n  phrases: [ask our team, '));
    expect(await problems()).toEqual([]);
  });

  it('reports a misspelt widget key at its own line, and the message it leaves missing', async () => {
    await edit('messages.yaml', (t) => t.replace('widgetNewButton: New', 'widgetNewButon: New'));
    const file = path.join(copy.dir(), 'messages.yaml');
    expect(await problems()).toEqual([
      `${file}:${await lineOf('messages.yaml', 'welcome:')}: widgetNewButton: is missing: every message is required (see dialogs/README.md)`,
      `${file}:${await lineOf('messages.yaml', 'widgetNewButon:')}: Unrecognized key: "widgetNewButon"`,
    ]);
  });

  it('reports a widget word with a placeholder it is not given, and initials too long for the avatar, at their lines', async () => {
    await edit('messages.yaml', (t) =>
      t
        .replace('widgetCouldNotStart: "Sorry, the chat could not start: {reason}."', 'widgetCouldNotStart: "Sorry, the chat could not start: {error}."')
        .replace('widgetBotInitials: PS', 'widgetBotInitials: PSUP'),
    );
    const file = path.join(copy.dir(), 'messages.yaml');
    expect(await problems()).toEqual([
      `${file}:${await lineOf('messages.yaml', 'widgetCouldNotStart:')}: widgetCouldNotStart: unknown placeholder {error}; it may use {reason}`,
      `${file}:${await lineOf('messages.yaml', 'widgetBotInitials:')}: widgetBotInitials: at most 3 characters fit in the avatar circle (found 4)`,
    ]);
  });
});
