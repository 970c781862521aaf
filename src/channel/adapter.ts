import {
  CallerIdConstants,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  ConfigurationServiceClientCredentialFactory,
  type Activity,
  type ConversationReference,
  type InvokeResponse,
  type ResourceResponse,
  type TurnContext,
} from 'botbuilder';
import {
  AuthenticationConstants,
  BotFrameworkAuthentication,
  ConnectorFactory,
  type AuthenticateRequestResult,
  type BotFrameworkClient,
  type ClaimsIdentity,
  type ConnectorClient,
  type UserTokenClient,
} from 'botframework-connector';
import type { Config } from '../config';
import { checkTokenBeforeBody, installSigningKeys, SigningKeysUnavailable, Unauthorized, type TokenPolicy } from './botAuth';

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
    auth: BotFrameworkAuthentication,
    private readonly appId: string,
    private readonly tokenPolicy?: TokenPolicy,
  ) {
    super(auth);
  }

  /** Whether requests must carry a Bot Framework token (an app id is configured). */
  get requiresToken(): boolean {
    return this.tokenPolicy !== undefined;
  }

  /**
   * With an app id: checks the request's token as far as can be done without the activity, so a
   * request with no, a malformed, a forged or an expired token is refused before its body is read.
   * Throws Unauthorized or SigningKeysUnavailable.
   */
  async checkTokenBeforeBody(authHeader: string | undefined): Promise<void> {
    if (this.tokenPolicy) await checkTokenBeforeBody(authHeader, this.tokenPolicy);
  }

  /**
   * The SDK's full check of the request (without an app id: an anonymous identity). Every failure
   * but an unreachable key endpoint is the caller's: Unauthorized, with the reason; otherwise
   * SigningKeysUnavailable. (The SDK throws plain errors from jsonwebtoken for bad signatures.)
   */
  async authenticate(authHeader: string, activity: Activity): Promise<AuthenticateRequestResult> {
    try {
      return await this.botFrameworkAuthentication.authenticateRequest(activity, authHeader);
    } catch (err) {
      if (err instanceof SigningKeysUnavailable) throw err;
      throw new Unauthorized(((err as Error)?.message ?? String(err)).split('\n')[0]?.slice(0, 200) ?? 'unauthorized');
    }
  }

  /** Runs one turn of an activity `authenticate` accepted. */
  handle(auth: AuthenticateRequestResult, activity: Activity, logic: (context: TurnContext) => Promise<void>): Promise<InvokeResponse | undefined> {
    return this.processActivity(auth, activity, logic);
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

/** A call to a channel (Bot Connector) that took longer than OUTBOUND_TIMEOUT_MS. */
export class OutboundTimeout extends Error {
  constructor(what: string, timeoutMs: number) {
    super(`${what} did not answer within ${timeoutMs} ms`);
    this.name = 'OutboundTimeout';
  }
}

/**
 * Gives every call a ConnectorClient makes (a reply, an update, a proactive message, a new
 * conversation, a member lookup) a deadline: the request is aborted and the call rejects with
 * OutboundTimeout. It covers getting the app's own token too. The SDK takes a per-call timeout but
 * CloudAdapter never passes one, and its connector factory replaces any request policies given in its
 * options, so the deadline is set here on each client it creates.
 */
class BoundedConnectorFactory extends ConnectorFactory {
  constructor(
    private readonly inner: ConnectorFactory,
    private readonly timeoutMs: number,
  ) {
    super();
  }

  override async create(serviceUrl: string, audience?: string): Promise<ConnectorClient> {
    const ms = this.timeoutMs;
    const where = `the channel at ${safeOrigin(serviceUrl)}`;
    const client = await withDeadline(() => this.inner.create(serviceUrl, audience), ms, where);
    const send = client.sendOperationRequest.bind(client);
    client.sendOperationRequest = (args, spec, callback) =>
      withDeadline(
        (signal) => {
          const given = args.options?.abortSignal as AbortSignal | undefined;
          const abortSignal = given ? AbortSignal.any([given, signal]) : signal;
          return send({ ...args, options: { ...args.options, abortSignal, timeout: ms } }, spec, callback);
        },
        ms,
        where,
      );
    return client;
  }
}

/**
 * Runs `work` with `ms` to finish: then its signal aborts and the result rejects with OutboundTimeout,
 * whether or not the work heeds the signal (getting the app's token does not).
 */
function withDeadline<T>(work: (signal: AbortSignal) => Promise<T>, ms: number, what: string): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      const err = new OutboundTimeout(what, ms);
      controller.abort(err);
      reject(err);
    }, ms);
    timer.unref();
  });
  return Promise.race([work(controller.signal), deadline]).finally(() => clearTimeout(timer));
}

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'the service URL';
  }
}

/** At most this many connector clients (and as many user token clients) are kept for reuse. */
const MAX_CACHED_CLIENTS = 64;

/**
 * Clients kept by key, at most MAX_CACHED_CLIENTS (the one unused longest goes first). A handful of
 * keys exist in practice (one per channel service URL), so a Map in use order does the job.
 */
class ClientCache<T> {
  private readonly clients = new Map<string, Promise<T>>();

  get(key: string, create: () => Promise<T>): Promise<T> {
    const found = this.clients.get(key);
    if (found) {
      this.clients.delete(key);
      this.clients.set(key, found);
      return found;
    }
    const made = create();
    this.clients.set(key, made);
    made.catch(() => {
      if (this.clients.get(key) === made) this.clients.delete(key);
    });
    if (this.clients.size > MAX_CACHED_CLIENTS) {
      const oldest = this.clients.keys().next().value;
      if (oldest !== undefined) this.clients.delete(oldest);
    }
    return made;
  }
}

/** The app id whose credentials a turn's outbound calls use (as the SDK finds it: audience claim, else appid claim). */
function appIdOf(claimsIdentity: ClaimsIdentity): string {
  return claimsIdentity.getClaimValue(AuthenticationConstants.AudienceClaim) ?? claimsIdentity.getClaimValue(AuthenticationConstants.AppIdClaim) ?? '';
}

/**
 * A connector factory that hands out one client per app id, audience and service URL instead of a new
 * one per turn: CloudAdapter asks for a client on every turn, and the SDK's factory builds a new HTTP
 * pipeline and credentials object each time (a tenth of a turn's CPU), though a client holds nothing of
 * the turn. The clients carry the deadline of BoundedConnectorFactory.
 */
class ReusingConnectorFactory extends ConnectorFactory {
  constructor(
    private readonly inner: ConnectorFactory,
    private readonly appId: string,
    private readonly cache: ClientCache<ConnectorClient>,
  ) {
    super();
  }

  override create(serviceUrl: string, audience?: string): Promise<ConnectorClient> {
    return this.cache.get(`${this.appId}\n${audience ?? ''}\n${serviceUrl}`, () => this.inner.create(serviceUrl, audience));
  }
}

/**
 * The SDK's authentication with a deadline on every connector client it makes (see
 * BoundedConnectorFactory), reusing connector and user token clients across turns.
 */
class BoundedAuthentication extends BotFrameworkAuthentication {
  private readonly connectors = new ClientCache<ConnectorClient>();
  private readonly userTokenClients = new ClientCache<UserTokenClient>();

  constructor(
    private readonly inner: BotFrameworkAuthentication,
    private readonly timeoutMs: number,
  ) {
    super();
  }

  override async authenticateRequest(activity: Activity, authHeader: string): Promise<AuthenticateRequestResult> {
    const result = await this.inner.authenticateRequest(activity, authHeader);
    return { ...result, ...(result.connectorFactory ? { connectorFactory: this.reusing(result.connectorFactory, result.claimsIdentity) } : {}) };
  }

  private reusing(factory: ConnectorFactory, claimsIdentity: ClaimsIdentity): ConnectorFactory {
    return new ReusingConnectorFactory(new BoundedConnectorFactory(factory, this.timeoutMs), appIdOf(claimsIdentity), this.connectors);
  }

  override authenticateStreamingRequest(authHeader: string, channelIdHeader: string): Promise<AuthenticateRequestResult> {
    return this.inner.authenticateStreamingRequest(authHeader, channelIdHeader);
  }

  override createConnectorFactory(claimsIdentity: ClaimsIdentity): ConnectorFactory {
    return this.reusing(this.inner.createConnectorFactory(claimsIdentity), claimsIdentity);
  }

  override createUserTokenClient(claimsIdentity: ClaimsIdentity): Promise<UserTokenClient> {
    return this.userTokenClients.get(appIdOf(claimsIdentity), () => this.inner.createUserTokenClient(claimsIdentity));
  }

  override createBotFrameworkClient(): BotFrameworkClient {
    return this.inner.createBotFrameworkClient();
  }

  override getOriginatingAudience(): string {
    return this.inner.getOriginatingAudience();
  }

  override authenticateChannelRequest(authHeader: string): Promise<ClaimsIdentity> {
    return this.inner.authenticateChannelRequest(authHeader);
  }
}

export interface AdapterOptions {
  readonly auth: Config['auth'];
  readonly openIdMetadata: Config['openIdMetadata'];
  /** Deadline of every call to a channel and of each fetch of Bot Framework's signing keys. */
  readonly outboundTimeoutMs: number;
  /** Told once per failed fetch of signing keys. */
  readonly onKeyFetchError?: (url: string, reason: string, servingCachedKeys: boolean) => void;
}

/**
 * With no app id the adapter accepts unauthenticated requests (as the Bot Framework Emulator expects)
 * and sends replies without a token; with one, every request needs a valid Bot Framework token. The
 * public cloud's endpoints are spelled out (the SDK's own values) so that the OpenID metadata URLs can
 * be set (ToBotFrom...OpenIdMetadataUrl), which the SDK only honours with the full set.
 */
export function createAdapter(options: AdapterOptions): PartnerAdapter {
  const { auth } = options;
  const settings = {
    MicrosoftAppId: auth.appId ?? '',
    MicrosoftAppPassword: auth.appPassword ?? '',
    MicrosoftAppType: auth.appType,
    MicrosoftAppTenantId: auth.tenantId ?? '',
    ValidateAuthority: true,
    ToChannelFromBotLoginUrl: AuthenticationConstants.ToChannelFromBotLoginUrl,
    ToChannelFromBotOAuthScope: AuthenticationConstants.ToChannelFromBotOAuthScope,
    ToBotFromChannelTokenIssuer: AuthenticationConstants.ToBotFromChannelTokenIssuer,
    OAuthUrl: AuthenticationConstants.OAuthUrl,
    ToBotFromChannelOpenIdMetadataUrl: options.openIdMetadata.channel,
    ToBotFromEmulatorOpenIdMetadataUrl: options.openIdMetadata.emulator,
    CallerId: CallerIdConstants.PublicAzureChannel,
  };
  const keys = installSigningKeys({
    timeoutMs: options.outboundTimeoutMs,
    ...(options.onKeyFetchError ? { onFetchError: options.onKeyFetchError } : {}),
  });
  const credentials = new ConfigurationServiceClientCredentialFactory(settings);
  const authentication = new BoundedAuthentication(new ConfigurationBotFrameworkAuthentication(settings, credentials), options.outboundTimeoutMs);
  const policy = auth.appId
    ? { appId: auth.appId, channelMetadataUrl: options.openIdMetadata.channel, emulatorMetadataUrl: options.openIdMetadata.emulator, keys }
    : undefined;
  return new PartnerAdapter(authentication, auth.appId ?? '', policy);
}
