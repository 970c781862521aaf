import { z } from 'zod';

/**
 * The least an incoming activity must have for the bot to handle it. Anything else is refused with
 * 400 and the list of problems, before it reaches the SDK.
 */
const ChannelAccount = z.looseObject({ id: z.string({ message: 'must be a string' }).min(1, 'must not be empty') });

const httpUrl = z
  .string({ message: 'must be a URL' })
  .refine((v) => {
    try {
      const u = new URL(v);
      return u.protocol === 'http:' || u.protocol === 'https:';
    } catch {
      return false;
    }
  }, 'must be an http(s) URL');

const ActivitySchema = z
  .looseObject({
    type: z.string({ message: 'is required (e.g. "message")' }).min(1, 'must not be empty'),
    id: z.string().optional(),
    channelId: z.string({ message: 'is required' }).min(1, 'must not be empty'),
    serviceUrl: httpUrl.optional(),
    conversation: ChannelAccount,
    from: ChannelAccount,
    recipient: ChannelAccount.optional(),
    text: z.string({ message: 'must be a string' }).optional(),
    deliveryMode: z.string().optional(),
  })
  .superRefine((a, ctx) => {
    if (a.deliveryMode !== 'expectReplies' && a.serviceUrl === undefined) {
      ctx.addIssue({ code: 'custom', path: ['serviceUrl'], message: 'is required unless deliveryMode is "expectReplies"' });
    }
  });

export type IncomingActivity = z.infer<typeof ActivitySchema>;

export type ActivityCheck = { ok: true; activity: IncomingActivity } | { ok: false; problems: string[] };

export function validateActivity(body: unknown): ActivityCheck {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, problems: ['the body must be a JSON object (a Bot Framework activity)'] };
  }
  const parsed = ActivitySchema.safeParse(body);
  if (!parsed.success) {
    return { ok: false, problems: parsed.error.issues.map((i) => `${i.path.map(String).join('.') || 'activity'} ${i.message}`) };
  }
  return { ok: true, activity: parsed.data };
}
