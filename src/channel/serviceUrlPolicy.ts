import type { ServiceUrlRule } from '../config';

/**
 * Where the bot may send replies when it runs without an app id, so nobody can make it POST to an
 * address of their choosing (cloud metadata endpoints, internal services). With an app id the SDK
 * only accepts a channel's token whose `serviceurl` claim is the activity's serviceUrl, so the channel
 * decides, not the caller.
 */

/** localhost, 127.0.0.0/8 or ::1, as WHATWG URL spells them (so 0x7f.1 or 2130706433 count too). */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase();
  return h === 'localhost' || h === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** Whether `serviceUrl` (an http(s) URL already checked by validateActivity) matches a rule. */
export function isAllowedServiceUrl(serviceUrl: string, rules: readonly ServiceUrlRule[]): boolean {
  let u: URL;
  try {
    u = new URL(serviceUrl);
  } catch {
    return false;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return false;
  const path = u.pathname.endsWith('/') ? u.pathname : `${u.pathname}/`;
  return rules.some((rule) => (rule.kind === 'loopback' ? isLoopbackHost(u.hostname) : u.origin.toLowerCase() === rule.origin && path.startsWith(rule.path)));
}
