import { z } from 'zod';

/**
 * The shape of an incoming activity, checked before it reaches the SDK: every field that botbuilder
 * (ActivityHandler, TeamsActivityHandler, TurnContext, CloudAdapter, the dialogs) or the bot reads has
 * the type they expect, so no turn throws on a malformed activity. Anything else is refused with 400
 * and the list of problems. Fields nobody reads pass through unchecked (channels add their own);
 * nesting depth is bounded when the body is parsed (see httpBody.ts).
 */

/** Longest id (conversation, user, activity): Teams ids are a few hundred characters at most. */
export const MAX_ID_CHARS = 1024;
const MAX_SHORT = 1000;

const text = (max: number) => z.string({ message: 'must be a string' }).max(max, `must be at most ${max} characters`);
const optionalText = (max = MAX_SHORT) => text(max).nullish();

const id = z
  .string({ message: 'must be a string' })
  .min(1, 'must not be empty')
  .max(MAX_ID_CHARS, `must be at most ${MAX_ID_CHARS} characters`)
  // eslint-disable-next-line no-control-regex
  .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), 'must not contain control characters')
  .refine((v) => !/^\.+$/.test(v), 'must not be only dots');

const account = (what: string) =>
  z.looseObject(
    {
      id,
      name: optionalText(),
      aadObjectId: optionalText(200),
      role: optionalText(100),
    },
    { message: `must be ${what} (an object with an id)` },
  );

const ConversationAccount = z.looseObject(
  {
    id,
    name: optionalText(),
    isGroup: z.boolean({ message: 'must be true or false' }).nullish(),
    conversationType: optionalText(100),
    tenantId: optionalText(200),
    role: optionalText(100),
    aadObjectId: optionalText(200),
  },
  { message: 'must be a conversation (an object with an id)' },
);

const list = <T extends z.ZodType>(item: T, what: string) => z.array(item, { message: `must be a list of ${what}` });

const Entity = z
  .looseObject({ type: text(200) }, { message: 'must be an object with a type' })
  .superRefine((e, ctx) => {
    if (e.type.toLowerCase() !== 'mention') return;
    const m = (e as Record<string, unknown>).mentioned;
    if (typeof m !== 'object' || m === null || typeof (m as Record<string, unknown>).id !== 'string') {
      ctx.addIssue({ code: 'custom', path: ['mentioned'], message: 'a mention must name who is mentioned ({ id })' });
    }
    const t = (e as Record<string, unknown>).text;
    if (t !== undefined && t !== null && typeof t !== 'string') ctx.addIssue({ code: 'custom', path: ['text'], message: 'must be a string' });
  });

const Attachment = z.looseObject(
  {
    contentType: text(200),
    contentUrl: optionalText(4096),
    name: optionalText(),
    thumbnailUrl: optionalText(4096),
  },
  { message: 'must be an object with a contentType' },
);

const jsonObject = (what: string) => z.looseObject({}, { message: `must be ${what}` });

/**
 * A URL the bot could send to: http(s), with no credentials, query or fragment (a channel's service
 * URL never has them, and the SDK appends its own path).
 */
export const ServiceUrl = z
  .string({ message: 'must be a URL' })
  .max(2048, 'must be at most 2048 characters')
  .refine((v) => {
    try {
      const u = new URL(v);
      return (u.protocol === 'http:' || u.protocol === 'https:') && !u.username && !u.password && !u.search && !u.hash && !v.includes('?') && !v.includes('#');
    } catch {
      return false;
    }
  }, 'must be an http(s) URL without credentials, query or fragment');

/** Invoke activities the bot answers; others (which the SDK would answer with 501) are refused. */
export const SUPPORTED_INVOKES: readonly string[] = ['composeExtension/query'];

/** The messaging extension query Teams sends from the compose box. */
const ComposeExtensionQuery = z.looseObject(
  {
    commandId: optionalText(200),
    parameters: list(z.looseObject({ name: text(200), value: z.unknown() }, { message: 'must be an object with a name' }), 'parameters ({ name, value })').nullish(),
    queryOptions: z
      .looseObject({ skip: z.number({ message: 'must be a number' }).int().min(0).nullish(), count: z.number({ message: 'must be a number' }).int().min(0).nullish() }, { message: 'must be an object' })
      .nullish(),
  },
  { message: 'must be a query object ({ commandId, parameters })' },
);

/** Every field checked, by name. */
const FIELDS = {
  type: z.string({ message: 'is required (e.g. "message")' }).min(1, 'must not be empty').max(100, 'must be at most 100 characters'),
  id: id.optional(),
  channelId: z.string({ message: 'is required' }).min(1, 'must not be empty').max(100, 'must be at most 100 characters'),
  serviceUrl: ServiceUrl.optional(),
  conversation: ConversationAccount,
  from: account('an account'),
  recipient: account('an account'),
  text: z.string({ message: 'must be a string' }).nullish(),
  textFormat: optionalText(100),
  locale: optionalText(100),
  localTimezone: optionalText(100),
  timestamp: optionalText(100),
  localTimestamp: optionalText(100),
  deliveryMode: optionalText(100),
  replyToId: id.nullish(),
  name: optionalText(),
  action: optionalText(100),
  code: optionalText(100),
  callerId: optionalText(),
  summary: optionalText(10_000),
  speak: z.string({ message: 'must be a string' }).nullish(),
  inputHint: optionalText(100),
  importance: optionalText(100),
  expiration: optionalText(100),
  topicName: optionalText(),
  label: optionalText(),
  valueType: optionalText(),
  attachmentLayout: optionalText(100),
  historyDisclosed: z.boolean({ message: 'must be true or false' }).nullish(),
  listenFor: list(text(MAX_SHORT), 'strings').nullish(),
  membersAdded: list(account('an account'), 'accounts ({ id })').nullish(),
  membersRemoved: list(account('an account'), 'accounts ({ id })').nullish(),
  reactionsAdded: list(z.looseObject({ type: text(200) }, { message: 'must be a reaction ({ type })' }), 'reactions ({ type })').nullish(),
  reactionsRemoved: list(z.looseObject({ type: text(200) }, { message: 'must be a reaction ({ type })' }), 'reactions ({ type })').nullish(),
  entities: list(Entity, 'entities ({ type })').nullish(),
  attachments: list(Attachment, 'attachments ({ contentType })').nullish(),
  channelData: jsonObject('an object').nullish(),
  suggestedActions: jsonObject('an object').nullish(),
  relatesTo: jsonObject('an object').nullish(),
  semanticAction: jsonObject('an object').nullish(),
  textHighlights: list(jsonObject('an object'), 'objects').nullish(),
} satisfies Record<string, z.ZodType>;

const FIELD_NAMES = Object.keys(FIELDS) as (keyof typeof FIELDS)[];
/** The fields an activity must have (those whose check refuses a missing value). */
const REQUIRED = new Set(FIELD_NAMES.filter((name) => !FIELDS[name].safeParse(undefined).success));

/**
 * The check of `z.looseObject(FIELDS)`, run field by field on the fields the activity has (and the required
 * ones): the same problems, in the same order, at the cost of the few fields a channel sends rather
 * than all 44 the schema knows (a turn's validation took about a twentieth of its CPU). The activity is
 * returned as it came (the schema transforms nothing).
 */
function fieldProblems(body: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const name of FIELD_NAMES) {
    const value = body[name];
    if (value === undefined && !REQUIRED.has(name)) continue;
    const checked = FIELDS[name].safeParse(value);
    if (!checked.success) problems.push(...checked.error.issues.map((i) => `${[name, ...i.path.map(String)].join('.')} ${i.message}`));
  }
  return problems;
}

/**
 * Rules between fields, checked on the raw body (so they are reported with any type problems).
 * Only reads a field once its type is right.
 */
function crossChecks(a: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if (a.deliveryMode !== 'expectReplies' && a.serviceUrl === undefined) problems.push('serviceUrl is required unless deliveryMode is "expectReplies"');
  if (a.type === 'invoke') {
    if (typeof a.name !== 'string' || !SUPPORTED_INVOKES.includes(a.name)) {
      const named = typeof a.name === 'string' ? `"${a.name.slice(0, 60)}"` : 'with no name';
      problems.push(`name: an invoke ${named} is not one this bot handles (it handles ${SUPPORTED_INVOKES.join(', ')})`);
    } else if (a.name === 'composeExtension/query') {
      const value = ComposeExtensionQuery.safeParse(a.value);
      if (!value.success) problems.push(...value.error.issues.map((i) => `${['value', ...i.path.map(String)].join('.')} ${i.message}`));
    }
  }
  // Teams tells message edits and deletions apart by channelData.eventType: the SDK reads it unguarded.
  if (a.channelId === 'msteams' && (a.type === 'messageUpdate' || a.type === 'messageDelete') && (a.channelData === undefined || a.channelData === null)) {
    problems.push(`channelData is required on a Teams ${a.type}`);
  }
  return problems;
}

/** An activity as checked: the fields above with their types, and any others a channel adds. */
export type IncomingActivity = z.infer<z.ZodObject<typeof FIELDS, z.core.$loose>>;

export type ActivityCheck = { ok: true; activity: IncomingActivity } | { ok: false; problems: string[] };

export function validateActivity(body: unknown): ActivityCheck {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, problems: ['the body must be a JSON object (a Bot Framework activity)'] };
  }
  const fields = fieldProblems(body as Record<string, unknown>);
  const cross = crossChecks(body as Record<string, unknown>);
  if (fields.length > 0 || cross.length > 0) {
    const problems = [...fields, ...cross];
    // One line per distinct problem, at most ten: a list of a thousand bad members need not be echoed.
    const unique = [...new Set(problems)];
    return { ok: false, problems: unique.length > 10 ? [...unique.slice(0, 10), `and ${unique.length - 10} more`] : unique };
  }
  return { ok: true, activity: body as IncomingActivity };
}
