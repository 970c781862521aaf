import type { TeamsManifest } from '@microsoft/app-manifest';

export const TEMPLATE = 'manifest.template.json';

export interface PackageValues {
  /** The Teams app's id (a GUID; often the bot's app id). */
  readonly teamsAppId: string;
  /** The Azure Bot's Microsoft App ID. */
  readonly botAppId: string;
  /** The bot's public host name, e.g. bot.contoso.com. */
  readonly botDomain: string;
}

/**
 * Fills the manifest template's `${{NAME}}` placeholders. Throws, naming it, on a placeholder that has
 * no value, so a half-filled manifest never reaches Teams.
 */
export function fillManifest(template: string, v: PackageValues): TeamsManifest {
  const values: Record<string, string> = { TEAMS_APP_ID: v.teamsAppId, MicrosoftAppId: v.botAppId, BOT_DOMAIN: v.botDomain };
  const filled = template.replace(/\$\{\{(\w+)\}\}/g, (whole, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`${TEMPLATE}: unknown placeholder ${whole}`);
    return value;
  });
  return JSON.parse(filled) as TeamsManifest;
}

