/**
 * The JSON of a stored item without its eTag, handed between the store and the conversation state so
 * that neither works it out again. Two kinds of note, each on the item object itself (weakly held):
 * - the store notes the text it parsed an item from (`read`); the conversation state, which alone
 *   takes these, takes it at once from the fresh object it was given, as the JSON it compares with at
 *   save time;
 * - the conversation state notes the JSON it has just compared, right before it writes that object;
 *   the store takes it as it writes instead of serialising the item again.
 * Other readers and writers of the store neither set nor take notes, so an item they change is always
 * serialised as it is.
 */
const readNotes = new WeakMap<object, string>();
const writeNotes = new WeakMap<object, string>();

/** The store read `item` from `json` (its JSON without the eTag). */
export function noteReadJson(item: object, json: string): void {
  readNotes.set(item, json);
}

/** The JSON a freshly read `item` was parsed from (the note is used up), or undefined. */
export function takeReadJson(item: object): string | undefined {
  return take(readNotes, item);
}

/** `item`, about to be written unchanged, serialises (without its eTag) to `json`. */
export function noteWriteJson(item: object, json: string): void {
  writeNotes.set(item, json);
}

/** The JSON noted for `item` as it is written (the note is used up), or undefined. */
export function takeWriteJson(item: object): string | undefined {
  return take(writeNotes, item);
}

function take(notes: WeakMap<object, string>, item: object): string | undefined {
  const json = notes.get(item);
  if (json !== undefined) notes.delete(item);
  return json;
}
