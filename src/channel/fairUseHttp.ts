import type { Activity } from 'botbuilder';
import type restify from 'restify';
import { fill, type Messages } from '../answering/Messages';
import type { FairUse, Refusal } from '../limits/FairUse';
import type { Logger } from '../log';
import { noArticle } from '../conversation/outgoing';
import { renderText } from './renderers/markdown';
import type { IncomingActivity } from './validateActivity';

/**
 * 429 with `Retry-After` (seconds; for Direct Line clients an HTTP date) and the reason as JSON:
 * `{ code, message, limit, retryAfterSeconds }`, or for Direct Line clients the same inside
 * `{ error: ... }` as that protocol's errors are. The first
 * refusal of a key in its window is logged with `fields` (ids there are hashed by the logger); the
 * rest of a flood is not, so it cannot fill the logs.
 * The answer is held back for a moment first (`FairUse.holdRefusal`: RATE_LIMIT_REFUSAL_PAUSE_MS, at most 4096 at a time).
 */
export function tooManyRequests(
  res: restify.Response,
  refusal: Refusal,
  shape: 'plain' | 'directLine',
  o: { readonly fairUse: FairUse; readonly logger: Logger; readonly fields: Record<string, unknown> },
): Promise<void> {
  if (refusal.first) o.logger.warn({ ...o.fields, limit: refusal.limit, retryAfterSeconds: refusal.retryAfterSeconds }, 'request refused: over the fair-use limit (later ones in this window are not logged)');
  const body = { code: 'TooManyRequests', message: refusal.message, limit: refusal.limit, retryAfterSeconds: refusal.retryAfterSeconds };
  const send = () => {
    if (res.writableEnded || res.destroyed) return;
    // Direct Line clients get the HTTP-date form: the DirectLineJS inside Web Chat's bundle fails on a
    // number of seconds (it calls an RxJS operator the bundle lacks, then waits for its 20-second send
    // timeout instead of marking the message as not sent).
    const at = new Date(Date.now() + refusal.retryAfterSeconds * 1000);
    res.header('Retry-After', shape === 'directLine' ? at.toUTCString() : String(refusal.retryAfterSeconds));
    res.send(429, shape === 'directLine' ? { error: body } : body);
  };
  const release = o.fairUse.holdRefusal();
  if (!release) {
    send();
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      release();
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      send();
      finish();
    }, o.fairUse.refusalPauseMs);
    timer.unref();
    // A client that gives up (or a shutdown closing the socket) frees its place at once.
    res.once('close', finish);
  });
}

/** What the bot says when a partner goes over the limit, as a message activity. */
export function slowDownActivity(messages: Messages, retryAfterSeconds: number): Partial<Activity> {
  return renderText(fill(messages.slowDown, { seconds: retryAfterSeconds }), noArticle({ intent: 'slowDown' }));
}

export interface TurnGate {
  /**
   * Counts an activity that arrived on `/api/messages` against its conversation's and its sender's
   * limits. True when its turn may run; otherwise the request has been answered. `reply` sends one
   * message into the activity's conversation through the adapter (so the request is authenticated
   * and the reply goes where the channel says).
   */
  admit(activity: IncomingActivity, res: restify.Response, correlationId: string, reply: (message: Partial<Activity>) => Promise<unknown>): Promise<boolean>;
}

/**
 * The fair-use gate of `/api/messages`. Over the limit:
 * - a client that reads the reply from the HTTP response (`deliveryMode: expectReplies`: the Emulator,
 *   scripts, the Bot Framework's own tests), and any activity that is not a message (invokes such as a
 *   card button or a compose-box search, events, conversation updates), gets 429 with Retry-After;
 * - a message that arrived through a channel (Teams, Azure's Web Chat and Direct Line, ...) gets 200,
 *   and the partner gets one "slow down" message in the chat per window saying for how long new
 *   messages will not be read. A 429 there would be lost on the partner (Teams shows nothing) or
 *   retried blindly by the channel, which is the opposite of slowing down.
 * Either way the conversation's turn queue never sees the activity, so a flood costs one parse and
 * one counter per request and other conversations are not held up.
 */
export function createTurnGate(o: { readonly fairUse: FairUse; readonly messages: Messages; readonly logger: Logger }): TurnGate {
  return {
    admit: async (activity, res, correlationId, reply) => {
      const refused = await o.fairUse.turn(activity.channelId, activity.conversation.id, activity.from.id);
      if (!refused) return true;
      const entry = {
        correlationId,
        channelId: activity.channelId,
        conversationId: activity.conversation.id,
        partnerId: activity.from.id,
        activityType: activity.type,
        limit: refused.limit,
        retryAfterSeconds: refused.retryAfterSeconds,
      };
      if (activity.type !== 'message' || activity.deliveryMode === 'expectReplies') {
        await tooManyRequests(res, refused, 'plain', { fairUse: o.fairUse, logger: o.logger, fields: entry });
        return false;
      }
      if (!(await o.fairUse.noticeDue(activity.channelId, activity.conversation.id))) {
        o.logger.warn(entry, 'message not read: over the fair-use limit (the partner was told)');
        res.send(200);
        return false;
      }
      try {
        await reply(slowDownActivity(o.messages, refused.retryAfterSeconds));
        o.logger.warn(entry, 'message not read: over the fair-use limit; the partner was asked to slow down');
        res.send(200);
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode === 401) {
          res.send(401, { code: 'Unauthorized', message: 'a valid Bot Framework token is required' });
        } else {
          o.logger.warn({ ...entry, reason: err instanceof Error ? err.message : String(err) }, 'could not ask the partner to slow down');
          await tooManyRequests(res, refused, 'plain', { fairUse: o.fairUse, logger: o.logger, fields: entry });
        }
      }
      return false;
    },
  };
}
