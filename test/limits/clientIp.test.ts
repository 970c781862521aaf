import { addressKey, clientIp } from '../../src/limits/clientIp';

describe('clientIp: the address per-client limits count by', () => {
  it('is the TCP peer when no proxy is trusted, whatever X-Forwarded-For says', () => {
    expect(clientIp('203.0.113.7', '198.51.100.1', 0)).toBe('203.0.113.7');
    expect(clientIp('::ffff:203.0.113.7', undefined, 0)).toBe('203.0.113.7');
  });

  it("behind App Service (one hop) is the entry the front end appended, port and all, not what the client wrote", () => {
    // The client sent "X-Forwarded-For: 1.1.1.1"; App Service appended the real address with its port.
    expect(clientIp('10.0.0.5', '1.1.1.1, 203.0.113.7:51234', 1)).toBe('203.0.113.7');
    expect(clientIp('10.0.0.5', ['1.1.1.1', '203.0.113.7:51234'], 1)).toBe('203.0.113.7');
    expect(clientIp('10.0.0.5', '[2001:db8:aa:bb:1:2:3:4]:443', 1)).toBe('2001:db8:aa:bb::/64');
  });

  it('behind Front Door and App Service (two hops) is the address Front Door saw', () => {
    expect(clientIp('10.0.0.5', 'spoofed, 203.0.113.7, 147.243.1.1:6000', 2)).toBe('203.0.113.7');
  });

  it('with fewer entries than trusted hops takes the furthest one, and skips entries that are not addresses', () => {
    expect(clientIp('10.0.0.5', '203.0.113.7', 3)).toBe('203.0.113.7');
    expect(clientIp('10.0.0.5', 'unknown, <script>', 1)).toBe('10.0.0.5');
    expect(clientIp(undefined, undefined, 0)).toBe('unknown');
  });

  it('counts an IPv6 client by its /64 network, so one host cannot rotate addresses to escape a limit', () => {
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:2:bbbb::9')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:3::1')).toBe('2001:db8:1:3::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(addressKey('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(addressKey('64:ff9b::192.0.2.1')).toBe('64:ff9b:0:0::/64');
    expect(addressKey('2001:0DB8:0000:0001::')).toBe('2001:db8:0:1::/64');
  });

  it('reads nothing else as an address', () => {
    for (const junk of ['', 'localhost', '1.2.3', '1.2.3.4.5', '999.1.1.1', '1.2.3.4:99999', ':::', 'a'.repeat(5000)]) expect(addressKey(junk)).toBeUndefined();
  });
});
