import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { clientAddress, peerAddress } from './client-address';

/** The two things `clientAddress` reads of a request: its peer and its headers. */
const request = (remoteAddress: string, forwardedFor?: string) =>
  ({
    socket: { remoteAddress },
    headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
  }) as unknown as IncomingMessage;

describe('client addresses', () => {
  it('RP25 a peer on another host is its own address; its X-Forwarded-For is ignored', () => {
    expect(clientAddress(request('203.0.113.9', '198.51.100.1'))).toBe('203.0.113.9');
    expect(clientAddress(request('::ffff:203.0.113.9'))).toBe('203.0.113.9');
    expect(peerAddress('203.0.113.9')).toBe('203.0.113.9');
  });

  it('RP25 through a proxy on this host, the client is the last X-Forwarded-For entry', () => {
    expect(clientAddress(request('127.0.0.1', '6.6.6.6, 198.51.100.1'))).toBe('198.51.100.1');
    expect(clientAddress(request('::1', ' 198.51.100.1 '))).toBe('198.51.100.1');
    expect(clientAddress(request('::ffff:127.0.0.1', '198.51.100.1'))).toBe('198.51.100.1');
    expect(peerAddress('127.0.0.1')).toBeNull();
  });

  it("RP25 the relay's own host (no proxy header, or one naming loopback or no address) is null", () => {
    expect(clientAddress(request('127.0.0.1'))).toBeNull();
    expect(clientAddress(request('127.0.0.1', '127.0.0.1'))).toBeNull();
    expect(clientAddress(request('127.0.0.1', 'unknown'))).toBeNull();
  });

  it('RP25 an IPv6 client counts as its /64, however it spells the address', () => {
    expect(clientAddress(request('2001:db8:1:2:aaaa::1'))).toBe('2001:db8:1:2::/64');
    expect(clientAddress(request('2001:db8:1:2:bbbb:cccc:dddd:eeee'))).toBe('2001:db8:1:2::/64');
    expect(clientAddress(request('2001:0db8:0001:0002::9%eth0'))).toBe('2001:db8:1:2::/64');
    expect(clientAddress(request('2001:db8::1'))).toBe('2001:db8:0:0::/64');
  });
});
