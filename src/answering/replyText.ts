import type { Band } from '../conversation/band';
import type { Article } from '../knowledge/Article';
import type { SourceDoc } from '../knowledge/contentFiles';
import { fill, type Messages } from './Messages';
import type { AnswerReply, EscalateReply, PartialReply, Reply, ShownPassage } from './Reply';

/** What the reply texts need from the knowledge base. */
export interface SourceLookup {
  readonly sources: ReadonlyMap<string, SourceDoc>;
  /** Topics in order, for help and greetings. */
  readonly topics: readonly string[];
  /** The topics as they read in a sentence, in the same order (the topics themselves when absent). */
  readonly topicNames?: readonly string[];
  readonly articles: readonly Article[];
}

/** The source line under a passage: the article's sources and as-of date. */
export function sourceLine(article: Article, kb: SourceLookup, messages: Messages): string {
  const docs = article.sources.map((s) => kb.sources.get(s)).filter((d) => d !== undefined);
  return fill(messages.answerSource, { source: docs.map((d) => d.title).join('; '), period: docs.map((d) => d.period).join('; '), asOf: article.asOf });
}

/**
 * The passages as markdown blocks, grouped by article: each article's title in bold, its passages,
 * then its source line. The text every channel shows (Teams puts the same blocks in a card).
 */
export function passageBlocks(shown: readonly ShownPassage[], kb: SourceLookup, messages: Messages): { title: string; passages: string[]; source: string }[] {
  const groups: { article: Article; passages: string[] }[] = [];
  for (const s of shown) {
    const group = groups.find((g) => g.article.id === s.article.id);
    if (group) group.passages.push(s.passage.text);
    else groups.push({ article: s.article, passages: [s.passage.text] });
  }
  return groups.map((g) => ({ title: g.article.title, passages: g.passages, source: sourceLine(g.article, kb, messages) }));
}

/** The markdown of an answer: what a corrected premise assumed, then the passages with their sources. */
export function answerText(reply: AnswerReply, kb: SourceLookup, messages: Messages): string {
  const blocks = passageBlocks(reply.passages, kb, messages);
  const parts: string[] = [];
  blocks.forEach((b, i) => {
    parts.push(`**${escapeMarkdown(b.title)}**`);
    if (i === 0 && reply.corrects) parts.push(fill(messages.corrects, { assumed: reply.corrects }));
    parts.push(...b.passages);
    if (i === 0 && reply.shortAnswer) parts.push(`${messages.inShort} ${reply.shortAnswer.passage.text}`);
    parts.push(`_${b.source}_`);
  });
  return parts.join('\n\n');
}

/** The first sentence of a partial answer: what the sources do not give. */
export function partialLead(reply: Pick<PartialReply, 'asks' | 'missing' | 'mentioned'>, messages: Messages): string {
  const missing = listOf(reply.missing, messages.listAnd);
  if (reply.asks === 'day') return messages.partialNoDay;
  if (reply.asks === 'reason') return messages.partialNoReason;
  if (missing === '') {
    switch (reply.asks) {
      case 'figure':
        return messages.partialNoFigure;
      case 'date':
        return messages.partialNoDate;
      case 'who':
        return messages.partialNoName;
      case 'where':
        return messages.partialNoPlace;
      default:
        return messages.partialNotAll;
    }
  }
  switch (reply.asks) {
    case 'figure':
      return fill(messages.partialFigure, { missing });
    case 'date':
      return fill(messages.partialDate, { missing });
    case 'who':
      return fill(messages.partialName, { missing });
    case 'where':
      return fill(messages.partialPlace, { missing });
    default:
      return fill(reply.mentioned === true ? messages.partialNotThat : messages.partialMention, { missing });
  }
}

/** The markdown of a partial answer: what is not in the sources, what is (with the source), the offer of a person. */
export function partialText(reply: PartialReply, kb: SourceLookup, messages: Messages): string {
  const lead = partialLead(reply, messages);
  if (reply.passages.length === 0) return `${lead} ${messages.offerPerson}`;
  const parts = [`${lead} ${messages.partialThen}`];
  for (const b of passageBlocks(reply.passages, kb, messages)) parts.push(`**${escapeMarkdown(b.title)}**`, ...b.passages, `_${b.source}_`);
  parts.push(messages.offerPerson);
  return parts.join('\n\n');
}

/** "A, B and C", with `and` as `listAnd` in messages.yaml words it. */
export function listOf(items: readonly string[], and: string): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} ${and} ${items[items.length - 1]}`;
}

/**
 * The topics as one phrase for a sentence: "BPOS, the move to Office 365, partner billing policy and
 * the Worldwide Partner Conference". When a topic's own words contain the `and`, a comma before the
 * last one keeps the items apart ("..., the partner program and market, and WPC").
 */
export function topicList(kb: Pick<SourceLookup, 'topics' | 'topicNames'>, and: string): string {
  const names = kb.topicNames ?? kb.topics;
  const joins = names.some((n) => ` ${n.toLowerCase()} `.includes(` ${and.toLowerCase()} `));
  if (names.length > 2 && joins) return `${names.slice(0, -1).join(', ')}, ${and} ${names[names.length - 1]}`;
  return listOf(names, and);
}

export function escapeMarkdown(text: string): string {
  return text.replace(/([\\`*_[\]<>])/g, '\\$1');
}

/** A reply as every channel shows it: the band, the article it names, the markdown, the buttons. */
export interface ReplyView {
  readonly band: Exclude<Band, 'escalation' | 'ticketStatus'>;
  readonly articleId: string | null;
  readonly confidence: number | null;
  readonly text: string;
  /** Buttons that send their `value` back as the partner's next message. */
  readonly buttons: readonly { readonly title: string; readonly value: string }[];
}

/**
 * Everything a reply shows, the same for every channel: Web Chat and the Emulator get the markdown and
 * the buttons as suggested actions, Teams the same passages in a card.
 */
export function viewOf(reply: Exclude<Reply, EscalateReply>, kb: SourceLookup, messages: Messages): ReplyView {
  const known = views.get(reply);
  if (known && known.kb === kb && known.messages === messages) return known.view;
  const view = viewAfresh(reply, kb, messages);
  views.set(reply, { kb, messages, view });
  return view;
}

/**
 * Each reply's view, for as long as the reply is kept (an answer asked again is the same reply: see
 * `explain`), with the knowledge base and messages it was worked out with.
 */
const views = new WeakMap<Reply, { readonly kb: SourceLookup; readonly messages: Messages; readonly view: ReplyView }>();

function viewAfresh(reply: Exclude<Reply, EscalateReply>, kb: SourceLookup, messages: Messages): ReplyView {
  const topics = topicList(kb, messages.listAnd);
  const button = (title: string, value = title) => ({ title, value });
  switch (reply.kind) {
    case 'answer': {
      return {
        band: 'answer',
        articleId: reply.article.id,
        confidence: reply.confidence,
        text: answerText(reply, kb, messages),
        buttons: reply.followUps.map((f) => button(f.title)),
      };
    }
    case 'partial':
      return {
        band: 'partial',
        articleId: reply.article.id,
        confidence: reply.confidence,
        text: partialText(reply, kb, messages),
        buttons: [button(messages.talkToPersonButton), ...reply.followUps.slice(0, 2).map((f) => button(f.title))],
      };
    case 'clarify':
      return {
        band: 'clarify',
        articleId: reply.candidates[0]?.id ?? null,
        confidence: reply.confidence,
        text: messages.didYouMean,
        buttons: [...reply.candidates.map((c) => button(c.title)), button(messages.talkToPersonButton)],
      };
    case 'noAnswer': {
      const lead =
        reply.reason === 'notCovered'
          ? fill(messages.notCovered, { gap: reply.gap ?? '' })
          : reply.reason === 'vague'
            ? fill(messages.vague, { topics })
            : messages.noAnswer;
      const buttons = [button(messages.talkToPersonButton)];
      if (reply.reason === 'notCovered' && reply.closest) buttons.push(button(fill(messages.closestArticleButton, { title: reply.closest.title }), reply.closest.title));
      return { band: 'noAnswer', articleId: null, confidence: reply.confidence, text: `${lead} ${messages.offerPerson}`, buttons };
    }
    case 'smallTalk': {
      const examples = exampleQuestions(kb).map((q) => button(q));
      switch (reply.intent) {
        case 'greeting':
          return { band: 'smallTalk', articleId: null, confidence: null, text: fill(messages.greeting, { topics }), buttons: examples };
        case 'help':
          return { band: 'smallTalk', articleId: null, confidence: null, text: fill(messages.help, { topics }), buttons: examples };
        case 'thanks':
          return { band: 'smallTalk', articleId: null, confidence: null, text: messages.thanks, buttons: [] };
        case 'goodbye':
          return { band: 'smallTalk', articleId: null, confidence: null, text: messages.goodbye, buttons: [] };
      }
    }
  }
}

/** One example question from each of the first topics (in the order they are listed), for greetings and help. */
export function exampleQuestions(kb: SourceLookup): string[] {
  const picks: Article[] = [];
  for (const topic of kb.topics) {
    const first = kb.articles.find((a) => a.topic === topic);
    if (first) picks.push(first);
  }
  return picks.slice(0, 3).map((a) => a.questions[0] ?? a.title);
}
