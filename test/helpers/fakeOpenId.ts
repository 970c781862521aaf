import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import jwt from 'jsonwebtoken';

export interface SigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** Channels the key is endorsed for (Bot Framework lists them with each key). */
  readonly endorsements?: readonly string[];
}

export function newSigningKey(kid: string, endorsements?: readonly string[]): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, privateKey, publicKey, ...(endorsements ? { endorsements } : {}) };
}

/** A token signed with `key` (RS256 unless told), as Bot Framework or Entra ID would issue it. */
export function signToken(key: SigningKey, claims: Record<string, unknown>, o: { algorithm?: jwt.Algorithm; kid?: string } = {}): string {
  return jwt.sign(claims, key.privateKey, { algorithm: o.algorithm ?? 'RS256', keyid: o.kid ?? key.kid, noTimestamp: true });
}

export type OpenIdMode = 'up' | 'down' | 'hang' | 'notJson';

export interface FakeOpenId {
  /** The OpenID metadata document's URL (what ToBotFrom...OpenIdMetadataUrl is set to). */
  readonly metadataUrl: string;
  /** How many times the key set was fetched. */
  readonly keyFetches: () => number;
  readonly metadataFetches: () => number;
  mode: OpenIdMode;
  keys: SigningKey[];
  close(): Promise<void>;
}

/**
 * Bot Framework's (or Entra ID's) OpenID metadata and key set, locally: serves the public half of
 * `keys` as a JWKS; can be taken down (500), made to hang, or to answer with something not JSON.
 */
export async function startFakeOpenId(keys: SigningKey[]): Promise<FakeOpenId> {
  let keyFetches = 0;
  let metadataFetches = 0;
  const hanging: http.ServerResponse[] = [];
  const state = { mode: 'up' as OpenIdMode, keys };
  const server = http.createServer((req, res) => {
    if (req.url === '/.well-known/openidconfiguration') metadataFetches += 1;
    if (req.url === '/keys') keyFetches += 1;
    if (state.mode === 'hang') return void hanging.push(res);
    if (state.mode === 'down') {
      res.writeHead(500);
      return void res.end('down');
    }
    if (state.mode === 'notJson') {
      res.writeHead(200, { 'content-type': 'text/html' });
      return void res.end('<html>maintenance</html>');
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    if (req.url === '/.well-known/openidconfiguration') {
      return void res.end(JSON.stringify({ issuer: 'https://api.botframework.com', jwks_uri: `${base}/keys`, id_token_signing_alg_values_supported: ['RS256'] }));
    }
    res.end(
      JSON.stringify({
        keys: state.keys.map((k) => ({ ...k.publicKey.export({ format: 'jwk' }), kid: k.kid, use: 'sig', ...(k.endorsements ? { endorsements: k.endorsements } : {}) })),
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    metadataUrl: `${base}/.well-known/openidconfiguration`,
    keyFetches: () => keyFetches,
    metadataFetches: () => metadataFetches,
    get mode() {
      return state.mode;
    },
    set mode(m: OpenIdMode) {
      state.mode = m;
    },
    get keys() {
      return state.keys;
    },
    set keys(k: SigningKey[]) {
      state.keys = k;
    },
    close: () =>
      new Promise<void>((resolve) => {
        hanging.splice(0).forEach((r) => r.destroy());
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
