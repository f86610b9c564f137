import type { IncomingMessage } from 'node:http';
import { isIPv4, isIPv6 } from 'node:net';

/**
 * The address per-address limits count a request against (RP25), or null for the relay's own host.
 *
 * A peer on another host is its own address. A loopback peer is taken to be a reverse proxy on
 * the same host (README's Caddy and nginx setups, Express's `trust proxy: loopback`): the client
 * is the last `X-Forwarded-For` entry, the one that proxy appended; without one, the request came
 * from this host itself (a script, a test, the bench) and only relay-wide limits apply. No remote
 * client can be a loopback peer, so no remote client can choose its address.
 */
export function clientAddress(req: IncomingMessage): string | null {
  const peer = limitKey(req.socket.remoteAddress);
  if (peer !== LOOPBACK) return peer;
  const forwarded = req.headers['x-forwarded-for'];
  const last = (Array.isArray(forwarded) ? forwarded.join(',') : (forwarded ?? ''))
    .split(',')
    .pop()
    ?.trim();
  const client = limitKey(last);
  return client === LOOPBACK ? null : client;
}

/**
 * The address a TCP peer counts as, before any request: null for loopback (a proxy on this host,
 * whose clients are told apart per request by {@link clientAddress}).
 */
export function peerAddress(remoteAddress: string | undefined): string | null {
  const peer = limitKey(remoteAddress);
  return peer === LOOPBACK ? null : peer;
}

const LOOPBACK = 'loopback';

/**
 * One key per client: an IPv4 address, or an IPv6 address's /64 (one subscriber's network, so
 * hopping through its 2^64 addresses does not make fresh buckets); `LOOPBACK` for this host;
 * null for something that is not an address.
 */
function limitKey(raw: string | undefined): string | null {
  if (!raw) return null;
  const address = raw.replace(/%.*$/, '').replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
  if (isIPv4(address)) return address.startsWith('127.') ? LOOPBACK : address;
  if (!isIPv6(address)) return null;
  const groups = expandIPv6(address);
  if (groups.every((g, i) => g === (i === 7 ? 1 : 0))) return LOOPBACK;
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address (`::` expanded). */
function expandIPv6(address: string): number[] {
  const [head = '', tail] = address.split('::');
  const parse = (part: string) => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}
