import { englishWords } from './englishWords';
import lunr from 'lunr';

/**
 * Words that carry no meaning for retrieval: lunr's English stop words plus the filler partners put
 * around a question ("can you tell me about ..."). They are dropped from questions and articles alike.
 */
export const STOP_WORDS: ReadonlySet<string> = new Set([
  // lunr's list
  'a', 'able', 'about', 'across', 'after', 'all', 'almost', 'also', 'am', 'among', 'an', 'and', 'any', 'are',
  'as', 'at', 'be', 'because', 'been', 'but', 'by', 'can', 'cannot', 'could', 'dear', 'did', 'do', 'does',
  'either', 'else', 'ever', 'every', 'for', 'from', 'get', 'got', 'had', 'has', 'have', 'he', 'her', 'hers',
  'him', 'his', 'however', 'i', 'if', 'in', 'into', 'is', 'it', 'its', 'just', 'least', 'let', 'like',
  'likely', 'may', 'me', 'might', 'most', 'must', 'my', 'neither', 'no', 'nor', 'not', 'of', 'off', 'often',
  'on', 'only', 'or', 'other', 'our', 'own', 'rather', 'said', 'say', 'says', 'she', 'should', 'since', 'so',
  'some', 'than', 'that', 'the', 'their', 'them', 'then', 'there', 'these', 'they', 'this', 'tis', 'to',
  'too', 'twas', 'us', 'wants', 'was', 'we', 'were', 'while', 'whom', 'will', 'with', 'would', 'yet', 'you',
  'your', 'what', 'whats', 'which',
  // conversational filler
  'hi', 'hello', 'hey', 'hiya', 'yo', 'please', 'pls', 'plz', 'thanks', 'thank', 'thx', 'ty', 'ok', 'okay',
  'quick', 'q', 'question', 'questions', 'qs', 'ask', 'asking', 'wondering', 'wonder', 'curious', 'tell',
  'know', 'knowing', 'explain', 'mean', 'means', 'meant', 'info', 'information', 'details', 'detail', 'anything',
  'something', 'thing', 'things', 'stuff', 'really', 'actually', 'exactly', 'basically', 'kind',
  'sort', 'bit', 'lot', 'lots', 'want', 'wanted', 'need', 'needed', 'looking', 'look', 'find', 'out',
  'understand', 'help', 'wanna', 'gonna', 'im', 'ive', 'id', 'dont', 'doesnt', 'didnt', 'isnt', 'arent',
  'guys', 'folks', 'here', 'one', 'currently', 'right', 'now', 'again', 'still',
  'onto', 'upon', 'anyone', 'someone', 'somebody', 'anybody', 'somewhere', 'anywhere', 'somehow', 'u', 'ur', 'r', 'whether', 'etc', 'e', 'g', 'eg', 'ie',
  'hear', 'heard', 'happening', 'happen', 'going', 'go', 'goes', 'up', 'down', 'over', 'under', 'regarding',
  're', 'around', 'very', 'much', 'such', 'each', 'same', 'both', 'being', 'having', 'doing', 'done',
  'make', 'made', 'way', 'ways', 'give', 'show', 'share', 'via', 'per', 'yes', 'yeah', 'yep', 'nope',
  // greetings, politeness and chat around a question ("Morning all", "kindly advise", "btw")
  'morning', 'afternoon', 'evening', 'cheers', 'kindly', 'advise', 'btw', 'bot', 'partnerbot', 'sorry', 'hiya',
  'roughly', 'approximately', 'vs', 'versus', 'v', 'besides', 'else', 'another', 'different', 'unrelated',
  'myself', 'yourself', 'yourselves', 'himself', 'herself', 'itself', 'ourselves', 'themselves',
  'compare', 'compares', 'compared', 'comparing', 'comparison', 'bigger', 'larger', 'smaller', 'greater',
]);

/**
 * Question words: kept because an alternate question that shares them ranks a little higher
 * ("who leads ..." vs "what is ..."), but never counted as the subject of a question.
 */
export const QUESTION_WORDS: ReadonlySet<string> = new Set(['who', 'when', 'where', 'why', 'how', 'many', 'date']);

/** Number words read as digits, so "top ten" and "top 10" are the same words ("one" stays a word). */
const NUMBER_WORDS: ReadonlyMap<string, string> = new Map(Object.entries({
  two: '2', three: '3', four: '4', five: '5', six: '6', seven: '7', eight: '8', nine: '9', ten: '10', eleven: '11',
  twelve: '12', thirteen: '13', fourteen: '14', fifteen: '15', sixteen: '16', seventeen: '17', eighteen: '18',
  nineteen: '19', twenty: '20', thirty: '30', forty: '40', fifty: '50', hundred: '100', thousand: '1000',
}));

/**
 * Splits text into lower-case word tokens. Keeps digits, `@` inside a word (Live@edu) and joins
 * digit groups ("1,040" → "1040"); drops an English possessive ("Microsoft's" → "microsoft"); reads
 * dotted acronyms as one word ("B.P.O.S." → "bpos"), the United States written "U.S." or "US" as
 * `usa`, and number words as digits ("ten" → "10").
 */
export function splitWords(text: string): string[] {
  const hasLower = /\p{Ll}/u.test(text);
  let normal = text.normalize('NFKC').replace(/\bU\.S\.(?:A\.?)?|\bUSA\b/g, ' usa ');
  // "US" in capitals is the country, unless the whole message is in capitals ("PLEASE TELL US").
  if (hasLower) normal = normal.replace(/\bUS\b/g, ' usa ');
  normal = normal.replace(/\b(in|across|outside|for) the us\b/gi, '$1 the usa');
  normal = normal
    .replace(/\b(?:\p{L}\.){2,}(?:\p{L}\b\.?)?/gu, (m) => m.replace(/\./g, ''))
    .toLowerCase()
    .replace(/[’‘`]/g, "'")
    .replace(/(\d),(?=\d{3}\b)/g, '$1')
    .replace(/'s\b/g, '')
    .replace(/'/g, '');
  const words = normal.match(/[\p{L}\p{N}]+(?:@[\p{L}\p{N}]+)*/gu) ?? [];
  return words.map((w) => NUMBER_WORDS.get(w) ?? commonForm(w));
}

/**
 * Past forms of irregular verbs partners use about sales and growth ("grew", "sold"), read as the verb
 * ("grow", "sell") so they meet the article's "growing", "sells". Only forms that are not also everyday
 * words of another meaning or mostly adjectives ("left", "found", "led", "paid", "known" stay as they are).
 */
const IRREGULAR_PAST: ReadonlyMap<string, string> = new Map(Object.entries({
  grew: 'grow', grown: 'grow', outgrew: 'outgrow', sold: 'sell', bought: 'buy', began: 'begin', begun: 'begin',
  won: 'win', spent: 'spend', became: 'become', chose: 'choose', chosen: 'choose', rose: 'rise', risen: 'rise',
  fell: 'fall', fallen: 'fall', took: 'take', gave: 'give', came: 'come', went: 'go', drove: 'drive',
  overtook: 'overtake', withdrew: 'withdraw', brought: 'bring', sought: 'seek',
}));

const BRITISH = /^(.{3,}?)(is(?:e|es|ed|ing|ation|ations|er|ers)|yse|ysed|yses|ysing|our|ours|oured|ouring|ourite|ourites|ourable|tre|tres|ogue|ogues|ence|ences|mme|mmes|lled|lling)$/;
const british = new Map<string, string>();

/**
 * One spelling for words written the British or the American way ("organisation" and "organization",
 * "favour" and "favor", "programme" and "program", "cancelled" and "canceled"), applied to articles
 * and questions alike. A British form is read as its American twin only when that twin is an English
 * word, so "promise", "enterprise" and "four" stay as they are.
 */
function commonForm(word: string): string {
  const past = IRREGULAR_PAST.get(word);
  if (past !== undefined) return past;
  const m = BRITISH.exec(word);
  if (!m) return word;
  let found = british.get(word);
  if (found === undefined) {
    const [, head = '', tail = ''] = m;
    const twin =
      head +
      tail
        .replace(/^is/, 'iz')
        .replace(/^ys/, 'yz')
        .replace(/^our/, 'or')
        .replace(/^tre(s?)$/, 'ter$1')
        .replace(/^ogue/, 'og')
        .replace(/^ence/, 'ense')
        .replace(/^mme/, 'm')
        .replace(/^ll/, 'l');
    found = twin !== word && twin.length >= 4 && englishWords().has(twin) ? twin : word;
    if (british.size >= MAX_MEMO) british.clear();
    british.set(word, found);
  }
  return found;
}

const stems = new Map<string, string>();
const MAX_MEMO = 50_000;

/** lunr's Porter stemmer on a single word, remembered (the stemmer is a chain of regular expressions). */
export function stem(word: string): string {
  let s = stems.get(word);
  if (s === undefined) {
    if (stems.size >= MAX_MEMO) stems.clear();
    s = lunr.stemmer(new lunr.Token(word, {})).toString();
    stems.set(word, s);
  }
  return s;
}

/**
 * A light stem that only folds plurals ("prices" → "price", "mailboxes" → "mailbox") and keeps other
 * forms apart ("pricing" stays "pricing"), for matching staff-written phrases exactly.
 */
export function lightStem(word: string): string {
  if (word.length > 4 && /(?:sh|ch|x|ss|z)es$/.test(word)) return word.slice(0, -2);
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

/** The kind of figure (or fact) a question wants: "the total", "each", "the lowest", "the exact", "the price". */
export type Qualifier = 'total' | 'each' | 'minimum' | 'maximum' | 'range' | 'average' | 'exact' | 'share' | 'alone' | 'price' | 'before';

/** Words of a question that say which kind of figure it wants ("combined", "per", "lowest", "exact", "cost"). */
export const QUESTION_QUALIFIERS: ReadonlyMap<string, Qualifier> = new Map(Object.entries({
  total: 'total', combined: 'total', altogether: 'total', together: 'total', overall: 'total', sum: 'total', cumulative: 'total',
  each: 'each', per: 'each', every: 'each', individual: 'each', individually: 'each', apiece: 'each',
  minimum: 'minimum', min: 'minimum', least: 'minimum', lowest: 'minimum', smallest: 'minimum', fewest: 'minimum',
  maximum: 'maximum', max: 'maximum', most: 'maximum', highest: 'maximum', largest: 'maximum', biggest: 'maximum',
  range: 'range', spread: 'range',
  average: 'average', avg: 'average', mean: 'average', median: 'average', typical: 'average',
  exact: 'exact', exactly: 'exact', precise: 'exact', precisely: 'exact', actual: 'exact', specific: 'exact',
  percentage: 'share', percent: 'share', proportion: 'share', ratio: 'share', split: 'share', breakdown: 'share',
  alone: 'alone',
  price: 'price', prices: 'price', pricing: 'price', cost: 'price', costs: 'price', fee: 'price', fees: 'price', charge: 'price',
  charges: 'price', cheap: 'price', cheaper: 'price', expensive: 'price', discount: 'price', discounts: 'price', free: 'price',
} satisfies Record<string, Qualifier>));

/**
 * The qualifiers that say which figure of a subject is wanted, not what the subject is: a passage is
 * held to them by the answerability check, so they count less towards which passage is meant.
 */
export const FIGURE_KINDS: ReadonlySet<Qualifier> = new Set(['total', 'each', 'minimum', 'maximum', 'range', 'average', 'exact', 'share']);

/**
 * The calendar words, in one place: the months in order, the seasons, and the months each season
 * covers. Each reader builds what it needs from these and says where it leaves a word out ("may",
 * more often the verb, is no period where a question's words are read).
 */
export const MONTHS: readonly string[] = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
/** How partners shorten the months ("jul", "sept"); "may" has no shorter form. */
export const MONTH_ABBREVIATIONS: readonly string[] = ['jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec'];
export const SEASONS: readonly string[] = ['spring', 'summer', 'autumn', 'fall', 'winter'];
/** Seasons with two names: the one the sources (U.S. news) use. */
export const SEASON_ALIASES: ReadonlyMap<string, string> = new Map([['autumn', 'fall']]);
/**
 * The months of each season, as the sources (U.S. news about Microsoft's calendar) use them: "this
 * summer" is answered by "in July 2011".
 */
export const SEASON_MONTHS: ReadonlyMap<string, readonly string[]> = new Map([
  ['spring', ['march', 'april', 'may']],
  ['summer', ['june', 'july', 'august']],
  ['fall', ['september', 'october', 'november']],
  ['autumn', ['september', 'october', 'november']],
  ['winter', ['december', 'january', 'february']],
]);
/** Words that place a time within a year ("mid 2010", "early 2011"). */
export const TIME_MODIFIERS: readonly string[] = ['mid', 'early', 'late'];
/** Words around a date that name a kind of year ("fiscal 2011", "FY11", "calendar year"). */
export const YEAR_WORDS: readonly string[] = ['fiscal', 'fy', 'calendar', 'year'];

