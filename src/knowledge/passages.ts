/**
 * An article's body as the bot answers from it: the short answer, then each paragraph and each list
 * item of the rest. A passage under a `##` heading keeps the heading as context, and a list item keeps
 * the sentence that introduces its list ("Points the source attributes to her:").
 */
export interface Passage {
  /** 0 is the short answer; the others follow in the order of the body. */
  readonly index: number;
  readonly kind: 'short' | 'paragraph' | 'item';
  /** The `##` (or deeper) heading the passage sits under. */
  readonly heading?: string;
  /** A paragraph ending in ":" that introduces the list this item belongs to. */
  readonly lead?: string;
  /** The passage's markdown, a list item without its marker, lines joined. */
  readonly text: string;
  /** 1-based line in the file where the passage starts. */
  readonly line: number;
}

/** A `##` heading in the body, with its line, for section questions. */
export interface Heading {
  readonly text: string;
  readonly line: number;
}

const HEADING = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const ITEM = /^(\s*)(?:[-*+]|\d+[.)])\s+(.*)$/;
const FENCE = /^\s*(```|~~~)/;

/**
 * Splits an article body into passages. `lines` is the whole file; the body starts at `from`
 * (0-based). The first block must be the short answer (checked by the caller).
 */
export function splitPassages(lines: readonly string[], from: number): { passages: Passage[]; headings: Heading[] } {
  const passages: Passage[] = [];
  const headings: Heading[] = [];
  let heading: string | undefined;
  let lead: string | undefined;
  let i = from;
  const push = (kind: Passage['kind'], text: string, line: number, withLead = false) => {
    const clean = text.trim();
    if (clean === '') return;
    const k = passages.length === 0 ? 'short' : kind;
    passages.push({
      index: passages.length,
      kind: k,
      ...(heading !== undefined && k !== 'short' ? { heading } : {}),
      ...(withLead && lead !== undefined ? { lead } : {}),
      text: clean,
      line,
    });
  };
  while (i < lines.length) {
    const raw = lines[i] ?? '';
    if (raw.trim() === '') {
      i += 1;
      continue;
    }
    const h = HEADING.exec(raw);
    if (h && passages.length > 0) {
      heading = (h[2] ?? '').trim();
      headings.push({ text: heading, line: i + 1 });
      lead = undefined;
      i += 1;
      continue;
    }
    const item = ITEM.exec(raw);
    const block = item && passages.length > 0 ? readList(lines, i, (item[1] ?? '').length) : FENCE.test(raw) ? readFence(lines, i) : undefined;
    if (block) {
      for (const b of block.items) push(b.kind, b.text, b.line, b.kind === 'item');
      i = block.next;
      lead = undefined;
      continue;
    }
    // A paragraph.
    const line = i + 1;
    const parts: string[] = [];
    while (i < lines.length) {
      const next = lines[i] ?? '';
      if (next.trim() === '' || (parts.length > 0 && (HEADING.test(next) || ITEM.test(next)))) break;
      parts.push(next.trim());
      i += 1;
    }
    const text = parts.join(' ');
    // "Points the source attributes to her:" introduces the list that follows: context, not a passage.
    if (passages.length > 0 && /:\s*$/.test(text) && startsList(lines, i)) {
      lead = text.replace(/:\s*$/, '');
      continue;
    }
    push('paragraph', text, line);
    lead = undefined;
  }
  return { passages, headings };
}

/** A block of the body read as passages, and the line after it (0-based). */
interface Block {
  readonly items: readonly { readonly kind: Passage['kind']; readonly text: string; readonly line: number }[];
  readonly next: number;
}

/** A list starting at line `i` (its items indented by `indent`): each top-level item with its continuation lines and nested items is one passage. */
function readList(lines: readonly string[], from: number, indent: number): Block {
  const items: { kind: Passage['kind']; text: string; line: number }[] = [];
  let i = from;
  while (i < lines.length) {
    const start = ITEM.exec(lines[i] ?? '');
    if (!start || (start[1] ?? '').length > indent) break;
    const line = i + 1;
    const parts = [start[2] ?? ''];
    i += 1;
    while (i < lines.length) {
      const next = lines[i] ?? '';
      if (next.trim() === '') {
        // A blank line ends the item unless an indented continuation follows.
        const after = lines[i + 1] ?? '';
        if (/^\s{2,}\S/.test(after) && !(ITEM.exec(after) && (ITEM.exec(after)?.[1] ?? '').length <= indent)) {
          i += 1;
          continue;
        }
        break;
      }
      const nested = ITEM.exec(next);
      if (nested && (nested[1] ?? '').length <= indent) break;
      if (HEADING.test(next)) break;
      parts.push(nested ? `- ${nested[2] ?? ''}` : next.trim());
      i += 1;
    }
    items.push({ kind: 'item', text: parts.join(' '), line });
    while (i < lines.length && (lines[i] ?? '').trim() === '') {
      const after = lines[i + 1] ?? '';
      const again = ITEM.exec(after);
      if (again && (again[1] ?? '').length === indent) i += 1;
      else break;
    }
  }
  return { items, next: i };
}

/** A fenced block starting at line `from`, kept whole as one paragraph. */
function readFence(lines: readonly string[], from: number): Block {
  const raw = lines[from] ?? '';
  const fence = FENCE.exec(raw)?.[1] ?? '```';
  const parts = [raw];
  let i = from + 1;
  while (i < lines.length && !(lines[i] ?? '').trim().startsWith(fence)) parts.push(lines[i++] ?? '');
  if (i < lines.length) parts.push(lines[i++] ?? '');
  return { items: [{ kind: 'paragraph', text: parts.join('\n'), line: from + 1 }], next: i };
}

function startsList(lines: readonly string[], from: number): boolean {
  let i = from;
  while (i < lines.length && (lines[i] ?? '').trim() === '') i += 1;
  return ITEM.test(lines[i] ?? '');
}

/** Headings that only say "there is more here" and name no subject of their own. */
export function isGenericHeading(heading: string): boolean {
  return /^(?:more(?: detail(?:s)?| information| info)?|details?|background|notes?|see also|further reading)$/i.test(heading.trim());
}
