import { redactText, redactUrl } from '../src/logRedaction';

const hash = (id: string) => `h(${id})`;
const TOKEN = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0eXAiOiJkbCJ9.c2lnbmF0dXJl';

describe('redactUrl', () => {
  it('drops every query value but the watermark, and hashes conversation ids in the path', () => {
    expect(redactUrl(`/v3/directline/conversations/abc%2Fdef/stream?t=${TOKEN}&watermark=12`, hash)).toBe('/v3/directline/conversations/~h(abc/def)/stream?t=[redacted]&watermark=12');
    expect(redactUrl('/api/webchat/token?resume=secret-proof&code=fn-key', hash)).toBe('/api/webchat/token?resume=[redacted]&code=[redacted]');
    expect(redactUrl('/x?watermark=<script>', hash)).toBe('/x?watermark=[redacted]');
  });

  it('removes a token written into the path, and survives anything', () => {
    expect(redactUrl(`/${TOKEN}/x`, hash)).toBe('/[token]/x');
    expect(redactUrl('/v3/directline/conversations/%/stream', hash)).toBe('/v3/directline/conversations/~h(%)/stream');
    expect(redactUrl(undefined, hash)).toBe('');
    expect(redactUrl(`/a?${'t='.repeat(10_000)}`, hash).length).toBeLessThan(1000);
  });
});

describe('redactText', () => {
  it('removes tokens and query values from an error message', () => {
    expect(redactText(`GET /stream?t=${TOKEN} failed: Bearer ${TOKEN}`)).toBe('GET /stream?t=[redacted] failed: Bearer [token]');
    expect(redactText('watermark?watermark=5')).toBe('watermark?watermark=5');
    expect(redactText('/v3/directline/conversations/abc/x does not exist', hash)).toBe('/v3/directline/conversations/~h(abc)/x does not exist');
  });
});
