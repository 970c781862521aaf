/**
 * Where a server's CPU time goes, from a V8 CPU profile (`node --cpu-prof`): the samples taken inside a
 * time window (the measured load, not start-up), each sample's time given to one category. A sample's
 * category is that of the nearest frame on its stack (the sampled function first, then its callers)
 * whose script belongs to a known part: so `JSON.stringify` called by the conversation state counts as
 * state, and a socket write made by restify counts as restify. Time in Node's own code with no known
 * caller (the HTTP parser, timers, promise jobs) is `node core`.
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}
interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: number[];
}
interface Profile {
  readonly nodes: ProfileNode[];
  /** µs, on the monotonic clock `process.hrtime` reads. */
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: number[];
  readonly timeDeltas: number[];
}

/** Categories by script, first match wins. `null`: no category of its own (look at the caller). */
const CATEGORIES: readonly [RegExp, string][] = [
  [/\/src\/channel\/validateActivity\.js$|\/node_modules\/zod\//, 'zod/validation'],
  [/\/src\/http\/httpBody\.js$/, 'request body'],
  [/\/src\/(log|logRedaction)\.js$|\/src\/channel\/turnLog\.js$|\/node_modules\/(pino|sonic-boom|fast-redact|@pinojs|fast-safe-stringify|on-exit-leak-free|thread-stream|quick-format-unescaped|safe-stable-stringify)\//, 'logging'],
  [/\/src\/storage\/QuestionLog\.js$/, 'question log'],
  [/\/src\/channel\/state\.js$|\/src\/storage\/itemJson\.js$|\/src\/storage\/StorageHealth\.js$/, 'state'],
  [/\/src\/storage\/|\/node_modules\/(crc-32|lru-cache)\//, 'storage/fsync'],
  [/\/src\/channel\/renderers\//, 'rendering'],
  [/\/src\/(answering|knowledge|conversation)\/|\/node_modules\/lunr\//, 'answering'],
  [/\/src\/(telemetry)\/|\/src\/channel\/observability\.js$|\/node_modules\/(prom-client|tdigest|bintrees)\//, 'metrics'],
  [/\/src\/limits\/|\/src\/channel\/fairUseHttp\.js$|\/node_modules\/rate-limiter-flexible\//, 'fair use'],
  [/\/node_modules\/(restify|find-my-way|send|mime|negotiator|csv|formidable|qs|assert-plus|restify-errors|spdy|uuid|lru-cache|vasync|verror|escape-regexp-component|fast-decode-uri-component|http-signature|once|pidusage|ewma|semver)\//, 'restify'],
  [/\/node_modules\/(botbuilder[^/]*|botframework-[^/]*|@azure\/[^/]*|@typespec\/[^/]*|adaptivecards|botbuilder-stdlib|jsonwebtoken|jwa|jws|zod-validation|dayjs|cross-fetch|node-fetch|axios|follow-redirects|@microsoft\/[^/]*)\//, 'SDK'],
  [/\/src\/channel\//, 'our glue (channel)'],
  [/\/src\//, 'our glue (other)'],
  [/\/bench\/echoServer\.js$/, 'echo logic'],
];

function categoryOf(frame: CallFrame): string | undefined {
  const { url, functionName } = frame;
  if (functionName === '(garbage collector)') return 'GC';
  if (functionName === '(program)') return 'program (V8/native, unattributed)';
  if (url === '') return undefined; // a native function (JSON.stringify, fs bindings): its caller's
  for (const [pattern, name] of CATEGORIES) if (pattern.test(url)) return name;
  if (url.startsWith('node:')) return undefined;
  if (url.includes('/node_modules/')) return `other package (${/\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1] ?? '?'})`;
  return undefined;
}

export interface Breakdown {
  /** ms of CPU (samples not idle) in the window, by category, largest first. */
  readonly categories: [string, number][];
  /** Of each category's ms, those spent in Node's own code or native functions (fs, sockets, JSON). */
  readonly inNode: ReadonlyMap<string, number>;
  /** ms of self time by function, largest first (the top 25). */
  readonly functions: [string, number][];
  readonly busyMs: number;
  readonly windowMs: number;
}

/** The breakdown of the samples of `file` taken between `fromUs` and `toUs` (process.hrtime µs). */
export function summariseProfile(file: string, fromUs: number, toUs: number): Breakdown {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map<number, ProfileNode>(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const categoryMemo = new Map<number, string>();
  const category = (id: number): string => {
    const memo = categoryMemo.get(id);
    if (memo !== undefined) return memo;
    const node = byId.get(id) as ProfileNode;
    const own = categoryOf(node.callFrame);
    const up = parent.get(id);
    const found = own ?? (up === undefined ? 'node core' : category(up));
    categoryMemo.set(id, found);
    return found;
  };
  const categories = new Map<string, number>();
  /** Of each category's time, how much was in Node's own code or native functions it called. */
  const inNode = new Map<string, number>();
  const functions = new Map<string, number>();
  let busy = 0;
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    t += delta;
    if (t < fromUs || t > toUs) continue;
    // A sample stands for the time since the one before it.
    const id = profile.samples[i] as number;
    const node = byId.get(id) as ProfileNode;
    if (node.callFrame.functionName === '(idle)') continue;
    const ms = delta / 1000;
    busy += ms;
    const c = category(id);
    categories.set(c, (categories.get(c) ?? 0) + ms);
    if (node.callFrame.url === '' || node.callFrame.url.startsWith('node:')) inNode.set(c, (inNode.get(c) ?? 0) + ms);
    const where = node.callFrame.url ? `${node.callFrame.url.replace(/^.*\/(node_modules\/)?/, '')}:${node.callFrame.lineNumber + 1}` : '(native)';
    const fn = `${node.callFrame.functionName || '(anonymous)'} ${where} [${c}]`;
    functions.set(fn, (functions.get(fn) ?? 0) + ms);
  }
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  return { categories: sorted(categories), inNode, functions: sorted(functions).slice(0, 25), busyMs: busy, windowMs: (toUs - fromUs) / 1000 };
}

/** The breakdown as lines of text, per turn. */
export function formatBreakdown(label: string, b: Breakdown, turns: number): string {
  const per = (ms: number) => (ms / Math.max(1, turns)).toFixed(3);
  return [
    `${label}: ${turns} turns in ${(b.windowMs / 1000).toFixed(1)} s, main thread busy ${per(b.busyMs)} ms/turn (${((100 * b.busyMs) / b.windowMs).toFixed(0)}% of the window)`,
    ...b.categories.map(([c, ms]) => `  ${per(ms).padStart(7)} ms  ${((100 * ms) / b.busyMs).toFixed(1).padStart(5)}%  ${c.padEnd(34)} (in Node/native ${per(b.inNode.get(c) ?? 0)} ms)`),
    '  top functions (self time):',
    ...b.functions.map(([f, ms]) => `  ${per(ms).padStart(7)} ms  ${f}`),
  ].join('\n');
}
