/**
 * Partner support's opening hours, as staff configure them ("Mon-Fri 09:00-17:00" in "Europe/London"),
 * and when support is next open. All wall-clock arithmetic goes through Intl in the configured zone,
 * so daylight-saving changes are handled as the zone's own clocks handle them.
 */

/** Minutes after local midnight; `end` may be 1440 (24:00). */
export interface OpeningInterval {
  readonly start: number;
  readonly end: number;
}

export interface SupportHours {
  /** The schedule in a canonical form: "Mon-Fri 09:00-17:00". */
  readonly spec: string;
  /** An IANA time zone, e.g. "Europe/London". */
  readonly timeZone: string;
  /** Opening intervals per local weekday, Monday first, sorted and merged. */
  readonly days: readonly (readonly OpeningInterval[])[];
}

export type SupportHoursParse = { ok: true; hours: SupportHours } | { ok: false; message: string };

const DAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;
const DAY_ALIASES: Readonly<Record<string, number>> = {
  mon: 0, monday: 0,
  tue: 1, tues: 1, tuesday: 1,
  wed: 2, weds: 2, wednesday: 2,
  thu: 3, thur: 3, thurs: 3, thursday: 3,
  fri: 4, friday: 4,
  sat: 5, saturday: 5,
  sun: 6, sunday: 6,
};

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
const GROUP = /^([a-z]+)(?:\s*[-–]\s*([a-z]+))?\s+(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})$/i;
const EXAMPLE = '"Mon-Fri 09:00-17:00" or "Mon-Thu 08:30-17:30, Fri 08:30-15:00"';

/**
 * Parses a schedule: comma-separated groups of a day or day range (Mon..Sun; a range may wrap, as in
 * "Sat-Sun" or "Fri-Mon") and a time range within the day (00:00 to 24:00, closing after opening).
 */
export function parseSupportHours(spec: string, timeZone = 'UTC'): SupportHoursParse {
  let zone: string;
  try {
    // The zone's canonical spelling: "utc" → "UTC", "europe/london" → "Europe/London".
    zone = new Intl.DateTimeFormat('en-US', { timeZone: timeZone.trim() === '' ? 'UTC' : timeZone.trim() }).resolvedOptions().timeZone;
  } catch {
    return { ok: false, message: `unknown time zone "${timeZone}"; use an IANA name such as "Europe/London" or "UTC"` };
  }
  const groups = spec
    .split(/[,;]/)
    .map((g) => g.trim().replace(/\s+/g, ' '))
    .filter((g) => g !== '');
  if (groups.length === 0) return { ok: false, message: `no opening hours given; write them like ${EXAMPLE}` };

  const days: OpeningInterval[][] = DAY_NAMES.map(() => []);
  const canonical: string[] = [];
  for (const group of groups) {
    const m = GROUP.exec(group);
    if (!m) return { ok: false, message: `"${group}" is not in the form "Mon-Fri 09:00-17:00"; write hours like ${EXAMPLE}` };
    const [, fromDay = '', toDay, h1 = '', m1 = '', h2 = '', m2 = ''] = m;
    const first = DAY_ALIASES[fromDay.toLowerCase()];
    const last = toDay === undefined ? first : DAY_ALIASES[toDay.toLowerCase()];
    for (const [name, index] of [[fromDay, first], [toDay, last]] as const) {
      if (name !== undefined && index === undefined) {
        return { ok: false, message: `"${group}": unknown day "${name}"; use ${DAY_NAMES.join(', ')}` };
      }
    }
    if (first === undefined || last === undefined) return { ok: false, message: `"${group}": unknown day` };
    const start = minutes(h1, m1);
    const end = minutes(h2, m2);
    if (start === undefined || start >= 24 * 60) return { ok: false, message: `"${group}": "${h1}:${m1}" is not a time from 00:00 to 23:59` };
    if (end === undefined) return { ok: false, message: `"${group}": "${h2}:${m2}" is not a time from 00:00 to 24:00` };
    if (end <= start) {
      return { ok: false, message: `"${group}": closing time ${h2}:${m2} must be after opening time ${h1}:${m1} (for hours past midnight, use 24:00 and a second group for the next day)` };
    }
    for (let d = first; ; d = (d + 1) % 7) {
      days[d]?.push({ start, end });
      if (d === last) break;
    }
    const dayText = toDay === undefined ? DAY_NAMES[first] : `${DAY_NAMES[first]}-${DAY_NAMES[last]}`;
    canonical.push(`${dayText} ${clock(start)}-${clock(end)}`);
  }
  return { ok: true, hours: { spec: canonical.join(', '), timeZone: zone, days: days.map(merge) } };
}

function minutes(h: string, m: string): number | undefined {
  const hours = Number(h);
  const mins = Number(m);
  if (mins > 59 || hours > 24 || (hours === 24 && mins !== 0)) return undefined;
  return hours * 60 + mins;
}

function merge(intervals: OpeningInterval[]): OpeningInterval[] {
  const sorted = [...intervals].sort((a, b) => a.start - b.start);
  const out: OpeningInterval[] = [];
  for (const i of sorted) {
    const last = out[out.length - 1];
    if (last && i.start <= last.end) out[out.length - 1] = { start: last.start, end: Math.max(last.end, i.end) };
    else out.push(i);
  }
  return out;
}

function clock(minutesOfDay: number): string {
  return `${String(Math.floor(minutesOfDay / 60)).padStart(2, '0')}:${String(minutesOfDay % 60).padStart(2, '0')}`;
}

/** "Mon-Fri 09:00-17:00 (Europe/London)": the schedule as partners are shown it. */
export function describeHours(hours: SupportHours): string {
  return `${hours.spec} (${hours.timeZone})`;
}

interface LocalParts {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  /** 0 = Monday. */
  readonly weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall-clock date and time in `timeZone` at instant `t` (ms). */
function localParts(timeZone: string, t: number): LocalParts {
  const values: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(t))) {
    if (p.type !== 'literal') values[p.type] = Number(p.value);
  }
  const year = values.year ?? 1970;
  const month = values.month ?? 1;
  const day = values.day ?? 1;
  const weekday = (new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 6) % 7;
  return { year, month, day, hour: (values.hour ?? 0) % 24, minute: values.minute ?? 0, second: values.second ?? 0, weekday };
}

/** How far the zone's clocks are ahead of UTC at instant `t`, in ms. */
function offsetAt(timeZone: string, t: number): number {
  const p = localParts(timeZone, t);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(t / 1000) * 1000;
}

/**
 * The instants at which the zone's clocks show the given wall-clock time: usually one, two in the
 * hour repeated when clocks go back, none in the hour skipped when they go forward.
 */
function instantsOf(timeZone: string, year: number, month: number, day: number, minuteOfDay: number): number[] {
  const wall = Date.UTC(year, month - 1, day, 0, minuteOfDay);
  const offsets = new Set([offsetAt(timeZone, wall - DAY_MS), offsetAt(timeZone, wall), offsetAt(timeZone, wall + DAY_MS)]);
  const out: number[] = [];
  for (const o of offsets) {
    const t = wall - o;
    if (offsetAt(timeZone, t) === o && !out.includes(t)) out.push(t);
  }
  return out.sort((a, b) => a - b);
}

/** The instants in (from, to] at which the zone's offset from UTC changes. */
function offsetChanges(timeZone: string, from: number, to: number): number[] {
  const step = 3 * 60 * MINUTE_MS;
  const out: number[] = [];
  let lo = Math.floor(from / MINUTE_MS) * MINUTE_MS;
  let before = offsetAt(timeZone, lo);
  for (let t = lo + step; lo < to; t += step) {
    const after = offsetAt(timeZone, t);
    if (after !== before) {
      // Offsets change on whole minutes: narrow (a, b] down to the first minute of the new offset.
      let a = lo;
      let b = t;
      while (b - a > MINUTE_MS) {
        const mid = a + Math.floor((b - a) / 2 / MINUTE_MS) * MINUTE_MS;
        if (offsetAt(timeZone, mid) === before) a = mid;
        else b = mid;
      }
      if (b > from && b <= to) out.push(b);
    }
    lo = t;
    before = after;
  }
  return out;
}

/** Whether partner support is open at instant `at`. */
export function isOpen(hours: SupportHours, at: Date): boolean {
  return openAt(hours, at.getTime());
}

function openAt(hours: SupportHours, t: number): boolean {
  const p = localParts(hours.timeZone, t);
  const m = p.hour * 60 + p.minute;
  return (hours.days[p.weekday] ?? []).some((i) => i.start <= m && m < i.end);
}

/**
 * The next moment partner support opens, looking up to 8 days ahead; `at` itself when it is open
 * then. Support opens either where the local clock reaches an opening time or, on a day the clocks
 * change, where they jump into opening hours: both kinds of instant are candidates.
 */
export function nextOpening(hours: SupportHours, at: Date): Date {
  const t0 = at.getTime();
  if (openAt(hours, t0)) return at;
  const horizon = t0 + 8 * DAY_MS;
  const start = localParts(hours.timeZone, t0);
  const candidates: number[] = [];
  for (let k = 0; k <= 8; k += 1) {
    const date = new Date(Date.UTC(start.year, start.month - 1, start.day + k));
    const weekday = (date.getUTCDay() + 6) % 7;
    for (const interval of hours.days[weekday] ?? []) {
      candidates.push(...instantsOf(hours.timeZone, date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), interval.start));
    }
  }
  candidates.push(...offsetChanges(hours.timeZone, t0, horizon));
  let best: number | undefined;
  for (const c of candidates) {
    if (c > t0 && c <= horizon && (best === undefined || c < best) && openAt(hours, c)) best = c;
  }
  if (best === undefined) throw new Error(`support hours "${hours.spec}" (${hours.timeZone}) do not open within 8 days`);
  return new Date(best);
}

/**
 * When `at` is, for a partner reading at `now`: "today at 09:00 (UTC)", "tomorrow at 09:00 (UTC)",
 * "Monday at 09:00 (Europe/London)", or "next Monday at 09:00 (...)" a week or more ahead. The day and
 * time are those of the support zone.
 */
export function describeOpening(hours: SupportHours, at: Date, now: Date, words: OpeningWords): string {
  const a = localParts(hours.timeZone, at.getTime());
  const n = localParts(hours.timeZone, now.getTime());
  const days = Math.round((Date.UTC(a.year, a.month - 1, a.day) - Date.UTC(n.year, n.month - 1, n.day)) / DAY_MS);
  const template = days === 0 ? words.openingToday : days === 1 ? words.openingTomorrow : days >= 7 ? words.openingNextWeek : words.openingLater;
  const values: Record<string, string> = { day: weekdayNames(words)[a.weekday] ?? '', time: clock(a.hour * 60 + a.minute), zone: hours.timeZone };
  return template.replace(/\{(day|time|zone)\}/g, (_, name: string) => values[name] ?? '');
}

/** How the bot words when support next opens (`dialogs/messages.yaml`). */
export interface OpeningWords {
  readonly openingToday: string;
  readonly openingTomorrow: string;
  readonly openingLater: string;
  readonly openingNextWeek: string;
  /** The days of the week, Monday first, separated by commas. */
  readonly weekdays: string;
}

/** The names in `weekdays`, Monday first. */
export function weekdayNames(words: Pick<OpeningWords, 'weekdays'>): string[] {
  return words.weekdays.split(',').map((d) => d.trim());
}
