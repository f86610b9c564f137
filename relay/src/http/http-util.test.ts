import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { clientAddress } from './http-util';

const request = (peer: string, forwarded?: string | string[]) =>
  ({
    socket: { remoteAddress: peer },
    headers: forwarded === undefined ? {} : { 'x-forwarded-for': forwarded },
  }) as unknown as IncomingMessage;

describe('client address', () => {
  it('RP26 X-Forwarded-For counts only from a proxy on this host, and only its last entry', () => {
    expect(clientAddress(request('203.0.113.5'))).toBe('203.0.113.5');
    expect(clientAddress(request('203.0.113.5', '198.51.100.1'))).toBe('203.0.113.5');
    expect(clientAddress(request('127.0.0.1', 'forged, 198.51.100.1'))).toBe('198.51.100.1');
    expect(clientAddress(request('::ffff:127.0.0.1', ['a', '198.51.100.2']))).toBe('198.51.100.2');
    expect(clientAddress(request('::1', ' '))).toBe('::1');
  });
});
