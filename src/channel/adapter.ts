import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  ConfigurationServiceClientCredentialFactory,
  type Activity,
  type InvokeResponse,
  type TurnContext,
} from 'botbuilder';
import type { Config } from '../config';

/**
 * botbuilder's CloudAdapter, with its activity pipeline callable directly so the HTTP route can
 * validate bodies and choose status codes and log lines itself (CloudAdapter.process writes errors to
 * the console and answers 500 for some bad requests).
 */
export class PartnerAdapter extends CloudAdapter {
  /** Authenticates `authHeader` (when an app id is configured) and runs one turn. */
  handle(authHeader: string, activity: Activity, logic: (context: TurnContext) => Promise<void>): Promise<InvokeResponse | undefined> {
    return this.processActivity(authHeader, activity, logic);
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
  return new PartnerAdapter(new ConfigurationBotFrameworkAuthentication(settings, credentials));
}
