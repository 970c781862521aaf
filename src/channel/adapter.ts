import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  ConfigurationServiceClientCredentialFactory,
  type Activity,
  type ConversationReference,
  type InvokeResponse,
  type ResourceResponse,
  type TurnContext,
} from 'botbuilder';
import { AuthenticationConstants } from 'botframework-connector';
import type { Config } from '../config';

/**
 * Where replies go for conversations the bot hosts itself (its own Direct Line endpoint for the
 * portal widget): instead of a Bot Connector call, they are stored in the conversation's transcript.
 */
export interface LocalChannel {
  /** The `serviceUrl` of the activities the local channel delivers, and the only one it handles. */
  readonly serviceUrl: string;
  send(conversationId: string, activities: Partial<Activity>[]): Promise<string[]>;
  update(conversationId: string, activity: Partial<Activity>): Promise<void>;
  remove(conversationId: string, activityId: string): Promise<void>;
}

/** Activity types the SDK handles itself instead of sending them to a channel. */
const SDK_ONLY = new Set(['delay', 'invokeResponse', 'trace']);

/**
 * botbuilder's CloudAdapter, with its activity pipeline callable directly so the HTTP route can
 * validate bodies and choose status codes and log lines itself (CloudAdapter.process writes errors to
 * the console and answers 500 for some bad requests), and with an in-process channel for the
 * conversations the bot hosts itself. Every channel goes through the same middleware, turn error
 * handler and bot.
 */
export class PartnerAdapter extends CloudAdapter {
  private local: LocalChannel | undefined;

  constructor(
    auth: ConstructorParameters<typeof CloudAdapter>[0],
    private readonly appId: string,
  ) {
    super(auth);
  }

  /** Authenticates `authHeader` (when an app id is configured) and runs one turn. */
  handle(authHeader: string, activity: Activity, logic: (context: TurnContext) => Promise<void>): Promise<InvokeResponse | undefined> {
    return this.processActivity(authHeader, activity, logic);
  }

  /** Routes replies to conversations whose serviceUrl is `channel.serviceUrl` into `channel`. */
  useLocalChannel(channel: LocalChannel): void {
    this.local = channel;
  }

  /**
   * Runs one turn for an activity of the local channel, which its own endpoint has already
   * authenticated (with the bot's token, not a Bot Framework one).
   */
  handleLocal(activity: Activity, logic: (context: TurnContext) => Promise<void>): Promise<InvokeResponse | undefined> {
    if (!this.isLocal(activity)) throw new Error('not an activity of the local channel');
    const claimsIdentity = this.createClaimsIdentity(this.appId);
    return this.processActivity(
      {
        audience: AuthenticationConstants.ToChannelFromBotOAuthScope,
        callerId: undefined as unknown as string,
        claimsIdentity,
        connectorFactory: this.botFrameworkAuthentication.createConnectorFactory(claimsIdentity),
      },
      activity,
      logic,
    );
  }

  override async sendActivities(context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    const local = this.isLocal(context.activity) ? this.local : undefined;
    if (!local) return super.sendActivities(context, activities);
    const responses: ResourceResponse[] = [];
    for (const activity of activities) {
      if (SDK_ONLY.has(activity.type ?? '')) {
        responses.push(...(await super.sendActivities(context, [activity])));
      } else {
        const [id] = await local.send(context.activity.conversation.id, [activity]);
        responses.push({ id: id ?? '' });
      }
    }
    return responses;
  }

  override async updateActivity(context: TurnContext, activity: Partial<Activity>): Promise<ResourceResponse | void> {
    const local = this.isLocal(context.activity) ? this.local : undefined;
    if (!local) return super.updateActivity(context, activity);
    await local.update(context.activity.conversation.id, activity);
    return activity.id ? { id: activity.id } : undefined;
  }

  override async deleteActivity(context: TurnContext, reference: Partial<ConversationReference>): Promise<void> {
    const local = this.isLocal(context.activity) ? this.local : undefined;
    if (!local) return super.deleteActivity(context, reference);
    if (reference.activityId) await local.remove(context.activity.conversation.id, reference.activityId);
  }

  private isLocal(activity: Partial<Activity>): boolean {
    return this.local !== undefined && activity.serviceUrl === this.local.serviceUrl;
  }
}

/**
 * With no app id the adapter accepts unauthenticated requests (as the Bot Framework Emulator expects)
 * and sends replies without a token; with one, every request needs a valid Bot Framework token.
 */
export function createAdapter(auth: Config['auth']): PartnerAdapter {
  const settings = {
    MicrosoftAppId: auth.appId ?? '',
    MicrosoftAppPassword: auth.appPassword ?? '',
    MicrosoftAppType: auth.appType,
    MicrosoftAppTenantId: auth.tenantId ?? '',
  };
  const credentials = new ConfigurationServiceClientCredentialFactory(settings);
  return new PartnerAdapter(new ConfigurationBotFrameworkAuthentication(settings, credentials), auth.appId ?? '');
}
