import { isIPv4, isIPv6 } from 'node:net';

/**
 * The address a request came from, for per-client limits.
 *
 * `X-Forwarded-For` is honoured only as far as the operator says proxies are in front of the bot
 * (`trustedHops`, TRUSTED_PROXY_HOPS): each trusted proxy appends the address it received the request
 * from, so the client is the entry `trustedHops` places from the right of
 * `[...X-Forwarded-For, socket address]`. Entries further left were written by the client and are
 * ignored, so a client cannot choose its own key. Azure App Service's front end counts as one hop;
 * Front Door in front of App Service as two.
 *
 * Written here rather than with `proxy-addr` because App Service writes entries as `address:port`
 * (and IPv6 as `[address]:port`), which that library does not read, and because the key for an IPv6
 * client must be its /64 network, not one address of it (a single host commonly holds a whole /64).
 */
export function clientIp(socketAddress: string | undefined, forwardedFor: string | readonly string[] | undefined, trustedHops: number): string {
  const chain = trustedHops > 0 ? [...forwardedEntries(forwardedFor), socketAddress ?? ''] : [socketAddress ?? ''];
  // The entry the last trusted proxy vouches for; with fewer entries than hops, the furthest one.
  let index = Math.max(0, chain.length - 1 - trustedHops);
  // An entry that is not an address was made up by someone: fall back towards the trusted end.
  for (; index < chain.length; index += 1) {
    const key = addressKey(chain[index] ?? '');
    if (key) return key;
  }
  return 'unknown';
}

function forwardedEntries(header: string | readonly string[] | undefined): string[] {
  if (header === undefined) return [];
  const joined = typeof header === 'string' ? header : header.join(',');
  // A header longer than any real proxy chain is not worth splitting in full: keep its tail.
  return joined
    .slice(-2048)
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
}

/**
 * The limit key of one address: IPv4 as it is, IPv6 as its /64 network (`2001:db8:1:2::/64`),
 * IPv4-mapped IPv6 as the IPv4 address. Ports (`1.2.3.4:5678`, `[::1]:443`) are dropped. Undefined
 * for anything that is not an address.
 */
export function addressKey(entry: string): string | undefined {
  let address = entry.trim();
  const port = /:(\d{1,5})$/.exec(address);
  if (port && Number(port[1]) > 65535) return undefined;
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(address);
  if (bracketed) address = bracketed[1] ?? '';
  else if (/^[\d.]+:\d{1,5}$/.test(address)) address = address.slice(0, address.lastIndexOf(':'));
  address = address.replace(/%[\w.-]+$/, ''); // an IPv6 zone id
  if (isIPv4(address)) return address;
  if (!isIPv6(address)) return undefined;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped && isIPv4(mapped[1] ?? '')) return mapped[1];
  const groups = expandIPv6(address);
  return `${groups.slice(0, 4).join(':')}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address, lower-case hex without leading zeros. */
function expandIPv6(address: string): string[] {
  let text = address.toLowerCase();
  // A trailing dotted quad (::ffff:1.2.3.4, 64:ff9b::1.2.3.4) is two groups.
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (quad) {
    const [a, b, c, d] = quad.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, quad.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = tail === undefined ? 0 : 8 - left.length - right.length;
  return [...left, ...Array<string>(missing).fill('0'), ...right].map((g) => parseInt(g, 16).toString(16));
}
