import { describeHours, describeOpening, type OpeningWords, isOpen, nextOpening, parseSupportHours, type SupportHours } from '../../src/escalation/supportHours';
import { realContent } from '../helpers/realContent';

function hours(spec: string, zone = 'UTC'): SupportHours {
  const parsed = parseSupportHours(spec, zone);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.hours;
}

function error(spec: string, zone = 'UTC'): string {
  const parsed = parseSupportHours(spec, zone);
  if (parsed.ok) throw new Error(`expected "${spec}" to be refused`);
  return parsed.message;
}

const at = (iso: string) => new Date(iso);

describe('parseSupportHours', () => {
  it('parses ranges, single days and several groups', () => {
    const h = hours('Mon-Thu 08:30-17:30, Fri 08:30-15:00', 'Europe/London');
    expect(h.timeZone).toBe('Europe/London');
    expect(h.spec).toBe('Mon-Thu 08:30-17:30, Fri 08:30-15:00');
    expect(h.days[0]).toEqual([{ start: 510, end: 1050 }]);
    expect(h.days[4]).toEqual([{ start: 510, end: 900 }]);
    expect(h.days[5]).toEqual([]);
    expect(describeHours(h)).toBe('Mon-Thu 08:30-17:30, Fri 08:30-15:00 (Europe/London)');
  });

  it('accepts 24:00, full day names, any case, wrapping ranges and extra spaces', () => {
    expect(hours('Mon-Sun 00:00-24:00').days.every((d) => d.length === 1 && d[0]?.end === 1440)).toBe(true);
    expect(hours('monday  9:00 - 12:30').spec).toBe('Mon 09:00-12:30');
    expect(hours('Fri-Mon 10:00-11:00').days.map((d) => d.length)).toEqual([1, 0, 0, 0, 1, 1, 1]);
  });

  it('merges overlapping groups on the same day', () => {
    expect(hours('Mon 09:00-12:00, Mon 11:00-17:00, Mon 18:00-19:00').days[0]).toEqual([
      { start: 540, end: 1020 },
      { start: 1080, end: 1140 },
    ]);
  });

  it('uses UTC for an empty zone and canonical zone names', () => {
    expect(hours('Mon 09:00-17:00', '').timeZone).toBe('UTC');
    expect(hours('Mon 09:00-17:00', 'utc').timeZone).toBe('UTC');
  });

  it('explains what is wrong', () => {
    expect(error('Mon-Fri 09:00-17:00', 'Europe/Londn')).toBe('unknown time zone "Europe/Londn"; use an IANA name such as "Europe/London" or "UTC"');
    expect(error('')).toMatch(/^no opening hours given; write them like "Mon-Fri 09:00-17:00"/);
    expect(error('weekdays 9 to 5')).toMatch(/^"weekdays 9 to 5" is not in the form "Mon-Fri 09:00-17:00"/);
    expect(error('Mon-Fri 09:00-17:00, Mnday 10:00-12:00')).toBe('"Mnday 10:00-12:00": unknown day "Mnday"; use Mon, Tue, Wed, Thu, Fri, Sat, Sun');
    expect(error('Mon-Fir 09:00-17:00')).toBe('"Mon-Fir 09:00-17:00": unknown day "Fir"; use Mon, Tue, Wed, Thu, Fri, Sat, Sun');
    expect(error('Mon 25:00-26:00')).toMatch(/^"Mon 25:00-26:00": "25:00" is not a time from 00:00 to 23:59$/);
    expect(error('Mon 09:00-17:60')).toMatch(/"17:60" is not a time from 00:00 to 24:00$/);
    expect(error('Mon 24:00-24:00')).toMatch(/"24:00" is not a time from 00:00 to 23:59$/);
    expect(error('Mon 17:00-09:00')).toMatch(/^"Mon 17:00-09:00": closing time 09:00 must be after opening time 17:00 \(for hours past midnight/);
    expect(error('Mon 09:00-09:00')).toMatch(/closing time 09:00 must be after opening time 09:00/);
  });
});

describe('isOpen in Europe/London across the start of summer time (31 March 2024)', () => {
  const london = hours('Mon-Fri 09:00-17:00', 'Europe/London');

  it('follows GMT before the change', () => {
    // Friday 29 March 2024: London is on GMT (UTC+0).
    expect(isOpen(london, at('2024-03-29T08:59:59Z'))).toBe(false);
    expect(isOpen(london, at('2024-03-29T09:00:00Z'))).toBe(true);
    expect(isOpen(london, at('2024-03-29T16:59:59Z'))).toBe(true);
    expect(isOpen(london, at('2024-03-29T17:00:00Z'))).toBe(false);
  });

  it('is closed at the weekend', () => {
    expect(isOpen(london, at('2024-03-30T12:00:00Z'))).toBe(false);
    expect(isOpen(london, at('2024-03-31T12:00:00Z'))).toBe(false);
  });

  it('follows BST after the change', () => {
    // Monday 1 April 2024: London is on BST (UTC+1), so 09:00 local is 08:00Z.
    expect(isOpen(london, at('2024-04-01T07:59:00Z'))).toBe(false);
    expect(isOpen(london, at('2024-04-01T08:00:00Z'))).toBe(true);
    expect(isOpen(london, at('2024-04-01T15:59:00Z'))).toBe(true);
    expect(isOpen(london, at('2024-04-01T16:00:00Z'))).toBe(false);
  });

  it('is always open with Mon-Sun 00:00-24:00', () => {
    const always = hours('Mon-Sun 00:00-24:00', 'Europe/London');
    for (const iso of ['2024-03-31T00:59:59Z', '2024-03-31T01:00:00Z', '2024-10-27T00:30:00Z', '2024-10-27T01:30:00Z', '2024-12-31T23:59:59Z']) {
      expect(isOpen(always, at(iso))).toBe(true);
    }
  });
});

describe('nextOpening', () => {
  const london = hours('Mon-Fri 09:00-17:00', 'Europe/London');

  it('is now when support is open', () => {
    const now = at('2024-03-29T10:00:00Z');
    expect(nextOpening(london, now)).toBe(now);
  });

  it('is later the same day before opening', () => {
    expect(nextOpening(london, at('2024-04-01T06:00:00Z')).toISOString()).toBe('2024-04-01T08:00:00.000Z');
    expect(nextOpening(london, at('2024-03-29T08:59:30Z')).toISOString()).toBe('2024-03-29T09:00:00.000Z');
  });

  it('skips the weekend, and the clocks going forward on it', () => {
    // Friday 17:30 GMT → Monday 09:00 BST.
    expect(nextOpening(london, at('2024-03-29T17:30:00Z')).toISOString()).toBe('2024-04-01T08:00:00.000Z');
    expect(nextOpening(london, at('2024-03-30T12:00:00Z')).toISOString()).toBe('2024-04-01T08:00:00.000Z');
  });

  it('handles the clocks going back', () => {
    // Friday 25 October 2024 17:00 BST → Monday 28 October 09:00 GMT.
    expect(nextOpening(london, at('2024-10-25T16:00:00Z')).toISOString()).toBe('2024-10-28T09:00:00.000Z');
  });

  it('follows a mixed week', () => {
    const h = hours('Mon-Thu 08:30-17:30, Fri 08:30-15:00', 'Europe/London');
    // Friday 12 July 2024 15:30 BST → Monday 08:30 BST.
    expect(nextOpening(h, at('2024-07-12T14:30:00Z')).toISOString()).toBe('2024-07-15T07:30:00.000Z');
    // Thursday 17:45 BST → Friday 08:30 BST.
    expect(nextOpening(h, at('2024-07-11T16:45:00Z')).toISOString()).toBe('2024-07-12T07:30:00.000Z');
  });

  it('opens when the clocks jump into opening hours', () => {
    // Sunday 31 March 2024: at 01:00 GMT the clocks jump to 02:00 BST, inside 01:30-05:00.
    const h = hours('Sun 01:30-05:00', 'Europe/London');
    expect(nextOpening(h, at('2024-03-31T00:30:00Z')).toISOString()).toBe('2024-03-31T01:00:00.000Z');
  });

  it('opens at the repeated hour when the clocks go back', () => {
    // Sunday 27 October 2024: 01:30 local happens at 00:30Z (BST) and again at 01:30Z (GMT).
    const h = hours('Sun 01:30-01:45', 'Europe/London');
    expect(nextOpening(h, at('2024-10-27T00:00:00Z')).toISOString()).toBe('2024-10-27T00:30:00.000Z');
    expect(nextOpening(h, at('2024-10-27T00:50:00Z')).toISOString()).toBe('2024-10-27T01:30:00.000Z');
  });

  it('works in a zone with a half-hour offset', () => {
    const h = hours('Mon-Fri 09:00-17:00', 'Asia/Kolkata');
    // Saturday 6 July 2024 → Monday 8 July 09:00 IST = 03:30Z.
    expect(nextOpening(h, at('2024-07-06T10:00:00Z')).toISOString()).toBe('2024-07-08T03:30:00.000Z');
  });

  it('finds an opening a week away', () => {
    const h = hours('Mon 09:00-10:00');
    expect(nextOpening(h, at('2024-07-08T11:00:00Z')).toISOString()).toBe('2024-07-15T09:00:00.000Z');
  });
});

/** As the shipped dialogs/messages.yaml words them. */
let WORDS: OpeningWords;
beforeAll(async () => {
  WORDS = (await realContent()).messages;
});

describe('describeOpening', () => {
  it('says today, tomorrow, a weekday or next weekday, in the support zone', () => {
    const utc = hours('Mon-Fri 09:00-17:00');
    const monday = at('2024-07-08T06:00:00Z');
    expect(describeOpening(utc, nextOpening(utc, monday), monday, WORDS)).toBe('today at 09:00 (UTC)');
    const thursdayEvening = at('2024-07-11T18:00:00Z');
    expect(describeOpening(utc, nextOpening(utc, thursdayEvening), thursdayEvening, WORDS)).toBe('tomorrow at 09:00 (UTC)');
    const weekly = hours('Mon 09:00-10:00');
    const mondayLate = at('2024-07-08T11:00:00Z');
    expect(describeOpening(weekly, nextOpening(weekly, mondayLate), mondayLate, WORDS)).toBe('next Monday at 09:00 (UTC)');
  });

  it('names the weekday over a weekend', () => {
    const london = hours('Mon-Fri 09:00-17:00', 'Europe/London');
    const friday = at('2024-03-29T17:30:00Z');
    expect(describeOpening(london, nextOpening(london, friday), friday, WORDS)).toBe('Monday at 09:00 (Europe/London)');
  });

  it('counts days by the support zone’s calendar', () => {
    const london = hours('Mon-Fri 09:00-17:00', 'Europe/London');
    // 23:30Z on Monday 1 April is already 00:30 on Tuesday in London.
    const now = at('2024-04-01T23:30:00Z');
    expect(describeOpening(london, nextOpening(london, now), now, WORDS)).toBe('today at 09:00 (Europe/London)');
  });

  it('is worded as staff word it in messages.yaml', () => {
    const london = hours('Mon-Fri 09:00-17:00', 'Europe/London');
    const words = { ...WORDS, openingLater: 'on {day} from {time} ({zone} time)', weekdays: 'lundi, mardi, mercredi, jeudi, vendredi, samedi, dimanche' };
    const friday = at('2024-03-29T17:30:00Z');
    expect(describeOpening(london, nextOpening(london, friday), friday, words)).toBe('on lundi from 09:00 (Europe/London time)');
  });
});
