import type { Messages } from '../../answering/Messages';

/** Where `widget.js` takes its words: the served file has the words' JSON in place of this name. */
export const WORDS_PLACEHOLDER = '__WIDGET_WORDS__';

/** The widget's words, by the name `widget.js` reads them under. */
export type WidgetWords = Readonly<Record<WidgetName<(typeof WIDGET_KEYS)[number]>, string>>;
type WidgetName<Key> = Key extends `widget${infer Name}` ? Uncapitalize<Name> : never;

const WIDGET_KEYS = [
  'widgetTitle',
  'widgetLauncherLabel',
  'widgetUnreadOne',
  'widgetUnreadMany',
  'widgetNewButton',
  'widgetNewLabel',
  'widgetNewHint',
  'widgetCloseLabel',
  'widgetConnecting',
  'widgetUnavailable',
  'widgetCouldNotStart',
  'widgetBundleFailed',
  'widgetServiceAnswered',
  'widgetTryAgain',
  'widgetBotInitials',
  'widgetUserInitials',
] as const satisfies readonly (keyof Messages)[];

/** The `widget...` messages of `dialogs/messages.yaml`, named as the widget reads them (`widgetTitle` is `title`). */
export function widgetWords(messages: Messages): WidgetWords {
  return Object.fromEntries(WIDGET_KEYS.map((key) => [key.charAt(6).toLowerCase() + key.slice(7), messages[key]])) as WidgetWords;
}

/**
 * `value` as a JavaScript expression that is safe anywhere in a script, inline in an HTML page too:
 * JSON with `<`, `>` and `&` escaped (no `</script>` or `<!--` can end or change the script element)
 * and U+2028/U+2029 escaped (line terminators in older JavaScript engines' strings).
 */
export function scriptLiteral(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** `widget.js` as served: the Web Chat bundle's versioned path and the words put in. */
export function widgetSource(source: string, bundlePath: string, words: WidgetWords): string {
  if (source.split(WORDS_PLACEHOLDER).length !== 2) throw new Error(`widget.js must name ${WORDS_PLACEHOLDER} once, where the words go`);
  // Functions as replacements: a `$` in the words is kept as it is, not read as a replacement pattern.
  return source.replace('__WEBCHAT_BUNDLE__', () => bundlePath).replace(WORDS_PLACEHOLDER, () => scriptLiteral(words));
}
