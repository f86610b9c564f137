import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import { eventually } from '@djamms/test-harness';
import {
  CloseCode,
  MAX_DEVICE_NAME,
  type CreateVenueResponse,
  type DeviceList,
  type JournalPage,
} from '@djamms/protocol';
import {
  api,
  closeCode,
  connect,
  createVenue,
  guestToken,
  pairDevice,
  roomState,
  startTestRelay,
  synced,
  type TestRelay,
} from './helpers';

/** Re-signs a token's claims with a secret of our own (a forgery). */
function forge(
  token: string,
  change: Record<string, unknown>,
  secret: string | Buffer = 'not-the-relay-secret',
): string {
  const [header = '', body = ''] = token.split('.');
  const claims = { ...JSON.parse(Buffer.from(body, 'base64url').toString()), ...change };
  const newBody = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const sig = createHmac('sha256', secret).update(`${header}.${newBody}`).digest('base64url');
  return `${header}.${newBody}.${sig}`;
}

describe('auth on the sync socket', () => {
  let relay: TestRelay;
  let venue: CreateVenueResponse;
  let other: CreateVenueResponse;

  beforeAll(async () => {
    relay = await startTestRelay();
    venue = await createVenue(relay, 'Bar A');
    other = await createVenue(relay, 'Bar B');
    const seed = connect(relay.wsUrl, venue.venueId, venue.adminToken);
    await synced(seed);
    seed.doc.getArray('queue').push(['first']);
    await eventually(async () => {
      const state = await roomState(relay, venue.venueId, venue.adminToken);
      expect(state.getArray('queue').length).toBe(1);
    });
    seed.destroy();
  });
  afterAll(async () => {
    await relay.dispose();
  });

  const refusedWith = async (room: string, token: string | null) => {
    const provider = connect(relay.wsUrl, room, token);
    const code = await closeCode(provider);
    provider.destroy();
    return code;
  };

  it('RP5 no token is refused with 4401', async () => {
    expect(await refusedWith(venue.venueId, null)).toBe(CloseCode.unauthorized);
  });

  it('RP5 a forged token is refused with 4401', async () => {
    expect(await refusedWith(venue.venueId, forge(venue.adminToken, {}))).toBe(
      CloseCode.unauthorized,
    );
  });

  it('RP5 a signed token of a device this relay does not know says so, not that it was revoked', async () => {
    // as a relay restored from a backup older than the device's pairing would see it
    const secret = Buffer.from(
      (await readFile(join(relay.dataDir, 'secret'), 'utf8')).trim(),
      'hex',
    );
    const token = forge(venue.adminToken, { sub: 'd-paired-after-the-backup' }, secret);
    const res = await api(relay.url, 'GET', `/api/venues/${venue.venueId}`, { token });
    expect(res).toMatchObject({ status: 401, body: { error: 'token-revoked' } });
    expect(res.body.message).toContain('not paired with this venue');
    expect(await refusedWith(venue.venueId, token)).toBe(CloseCode.revoked);
  });

  it('RP5 a token whose claims were edited is refused with 4401', async () => {
    const [h, , s] = venue.adminToken.split('.');
    const body = Buffer.from(
      JSON.stringify({ venue: other.venueId, role: 'admin', sub: 'x', iat: 1, exp: 9e9 }),
    );
    expect(await refusedWith(other.venueId, `${h}.${body.toString('base64url')}.${s}`)).toBe(
      CloseCode.unauthorized,
    );
  });

  it('RP5 T1 a token has one spelling: the same signature re-encoded is refused on socket and HTTP', async () => {
    const [header, body, signature = ''] = venue.adminToken.split('.');
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    // The last of 43 characters carries 2 bits the 32-byte MAC does not use.
    const last = alphabet[alphabet.indexOf(signature.at(-1)!) ^ 1];
    for (const respelled of [
      `${header}.${body}.${signature}=`,
      `${header}.${body}.${signature.slice(0, -1)}${last}`,
      `${header}.${body}.${signature.replace(/-/g, '+').replace(/_/g, '/')}`,
    ].filter((t) => t !== venue.adminToken)) {
      expect(await refusedWith(venue.venueId, respelled)).toBe(CloseCode.unauthorized);
      const res = await api(relay.url, 'GET', `/api/venues/${venue.venueId}`, { token: respelled });
      expect(res).toMatchObject({ status: 401, body: { error: 'token-bad-signature' } });
    }
  });

  it('RP17 T1 the Authorization scheme is case-insensitive (RFC 7235): bearer, BEARER', async () => {
    for (const scheme of ['bearer', 'BEARER', 'Bearer', 'bEaReR']) {
      const res = await fetch(`${relay.url}/api/venues/${venue.venueId}`, {
        headers: { authorization: `${scheme} ${venue.adminToken}` },
      });
      expect(res.status).toBe(200);
    }
    const created = await fetch(`${relay.url}/api/venues`, {
      method: 'POST',
      headers: { authorization: `bearer ${relay.operatorKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Lower Case Bar' }),
    });
    expect(created.status).toBe(201);
    const basic = await fetch(`${relay.url}/api/venues/${venue.venueId}`, {
      headers: { authorization: `Basic ${venue.adminToken}` },
    });
    expect(basic.status).toBe(401);
  });

  it('RP5 an expired token is refused with 4401', async () => {
    const expired = await startTestRelay({
      now: () => Date.now() + 400 * 24 * 3600 * 1000,
      dataDir: relay.dataDir,
    });
    try {
      const provider = connect(expired.wsUrl, venue.venueId, venue.adminToken);
      expect(await closeCode(provider)).toBe(CloseCode.unauthorized);
      provider.destroy();
    } finally {
      await expired.close();
    }
  });

  it('RP5 an open socket whose token expires is closed with 4401', async () => {
    let offset = 0;
    const clocked = await startTestRelay({ now: () => Date.now() + offset, pingIntervalMs: 50 });
    try {
      const bar = await createVenue(clocked);
      const guest = await guestToken(clocked, bar);
      const provider = connect(clocked.wsUrl, bar.venueId, guest);
      await synced(provider);
      const closed = closeCode(provider);
      offset = 13 * 3600 * 1000;
      expect(await closed).toBe(CloseCode.unauthorized);
      provider.destroy();
    } finally {
      await clocked.dispose();
    }
  });

  it("RP5 another venue's token is refused with 4403 for this venue's rooms", async () => {
    expect(await refusedWith(venue.venueId, other.adminToken)).toBe(CloseCode.forbidden);
    expect(await refusedWith(venue.libraryId, other.adminToken)).toBe(CloseCode.forbidden);
  });

  it('RP5 an unknown room is refused with 4404', async () => {
    expect(await refusedWith('not-a-room', venue.adminToken)).toBe(CloseCode.notFound);
  });

  it('RP5 a viewer reads but its writes are refused with permission-denied read-only; nothing stored', async () => {
    const viewer = await pairDevice(relay, venue, 'viewer');
    const provider = connect(relay.wsUrl, venue.venueId, viewer.token);
    const denied: string[] = [];
    provider.messageHandlers[2] = (_e, decoder) => {
      decoding.readVarUint(decoder);
      denied.push(decoding.readVarString(decoder));
    };
    await synced(provider);
    expect(provider.doc.getArray('queue').toArray()).toEqual(['first']);
    provider.doc.getArray('queue').delete(0, 1);
    provider.doc.getArray('queue').push(['viewer-was-here']);
    await eventually(() => expect(denied).toEqual(['read-only']));
    expect(provider.wsconnected).toBe(true);
    const state = await roomState(relay, venue.venueId, venue.adminToken);
    expect(state.getArray('queue').toArray()).toEqual(['first']);
    provider.destroy();
  });

  it('RP6 an expired pairing code is refused', async () => {
    let offset = 0;
    const clocked = await startTestRelay({ now: () => Date.now() + offset });
    try {
      const bar = await createVenue(clocked);
      const code = await api<{ code: string }>(
        clocked.url,
        'POST',
        `/api/venues/${bar.venueId}/pairing-codes`,
        {
          token: bar.adminToken,
          body: { role: 'kiosk' },
        },
      );
      offset = 11 * 60 * 1000;
      const res = await api(clocked.url, 'POST', '/api/pair', { body: { code: code.body.code } });
      expect(res).toMatchObject({ status: 404, body: { error: 'code-not-found' } });
    } finally {
      await clocked.dispose();
    }
  });

  it('RP7 a guest trying to delete or reorder via Yjs is refused; stored data unchanged', async () => {
    const token = await guestToken(relay, venue);
    const provider = connect(relay.wsUrl, venue.venueId, token);
    let deniedCount = 0;
    provider.messageHandlers[2] = () => {
      deniedCount++;
    };
    await synced(provider);
    provider.doc.getArray('queue').delete(0, 1);
    provider.doc.getArray('queue').insert(0, ['guest-jumped-the-queue']);
    await eventually(() => expect(deniedCount).toBe(1));
    const state = await roomState(relay, venue.venueId, venue.adminToken);
    expect(state.getArray('queue').toArray()).toEqual(['first']);
    const library = connect(relay.wsUrl, venue.libraryId, token);
    await synced(library);
    expect(library.wsconnected).toBe(true);
    library.destroy();
    provider.destroy();
  });

  it.each(['player', 'staff'] as const)(
    'RP5 a %s writes the venue room but only reads the library room',
    async (role) => {
      const player = await pairDevice(relay, venue, role);
      const lib = connect(relay.wsUrl, venue.libraryId, player.token, new Y.Doc());
      let denied = 0;
      lib.messageHandlers[2] = () => {
        denied++;
      };
      await synced(lib);
      lib.doc.getMap('tracks').set('x', 1);
      await eventually(() => expect(denied).toBe(1));
      const room = connect(relay.wsUrl, venue.venueId, player.token);
      await synced(room);
      room.doc.getMap('settings').set('volume', 7);
      await eventually(async () => {
        const state = await roomState(relay, venue.venueId, venue.adminToken);
        expect(state.getMap('settings').get('volume')).toBe(7);
      });
      lib.destroy();
      room.destroy();
    },
  );

  it('RP5 staff may not pair devices, list, rename or revoke them, or rotate the guest link', async () => {
    const staff = await pairDevice(relay, venue, 'staff');
    const calls: [string, string][] = [
      ['POST', `/api/venues/${venue.venueId}/pairing-codes`],
      ['GET', `/api/venues/${venue.venueId}/devices`],
      ['PATCH', `/api/venues/${venue.venueId}/devices/${staff.deviceId}`],
      ['DELETE', `/api/venues/${venue.venueId}/devices/${staff.deviceId}`],
      ['POST', `/api/venues/${venue.venueId}/guest-link`],
    ];
    for (const [method, path] of calls) {
      const body =
        method === 'POST' ? { role: 'kiosk' } : method === 'PATCH' ? { name: 'Mine' } : undefined;
      const res = await api(relay.url, method, path, { token: staff.token, body });
      expect([method, path, res.status, res.body.error]).toEqual([
        method,
        path,
        403,
        'role-forbidden',
      ]);
    }
  });

  it('RP6 an admin renames a device: the list and the actions it records from then on name it so; a blank or too long name is refused, a revoked or unknown device not found', async () => {
    const staff = await pairDevice(relay, venue, 'staff', 'staff');
    const device = `/api/venues/${venue.venueId}/devices/${staff.deviceId}`;
    const rename = (name: unknown, path = device) =>
      api(relay.url, 'PATCH', path, { token: venue.adminToken, body: { name } });
    const listedName = async () =>
      (
        await api<DeviceList>(relay.url, 'GET', `/api/venues/${venue.venueId}/devices`, {
          token: venue.adminToken,
        })
      ).body.devices.find((d) => d.deviceId === staff.deviceId)?.name;
    expect((await rename('  Sam’s phone ')).body).toEqual({
      deviceId: staff.deviceId,
      name: 'Sam’s phone',
    });
    expect(await listedName()).toBe('Sam’s phone');
    const action = { id: 'renamed-1', kind: 'action', at: Date.now(), data: { what: 'Paused' } };
    await api(relay.url, 'POST', `/api/venues/${venue.venueId}/journal`, {
      token: staff.token,
      body: { entries: [action] },
    });
    const journal = await api<JournalPage>(
      relay.url,
      'GET',
      `/api/venues/${venue.venueId}/journal?kinds=action`,
      { token: venue.adminToken },
    );
    expect(journal.body.entries.find((e) => e.id === 'renamed-1')?.data).toEqual({
      what: 'Paused',
      device: 'Sam’s phone',
    });
    for (const name of ['', '   ', 'x'.repeat(MAX_DEVICE_NAME + 1), 7, null]) {
      expect((await rename(name)).body.error, String(name)).toBe('invalid-name');
    }
    // characters, not UTF-16 units: as many emoji as letters
    const emoji = '😀'.repeat(MAX_DEVICE_NAME);
    expect((await rename(emoji)).body).toMatchObject({ name: emoji });
    expect((await rename(`${emoji}😀`)).body.error).toBe('invalid-name');
    await rename('Sam’s phone');
    // a name given when pairing is cut to the limit, never inside a character
    const long = await pairDevice(relay, venue, 'viewer', `${'a'.repeat(MAX_DEVICE_NAME - 1)}😀😀`);
    const devices = await api<DeviceList>(
      relay.url,
      'GET',
      `/api/venues/${venue.venueId}/devices`,
      {
        token: venue.adminToken,
      },
    );
    expect(devices.body.devices.find((d) => d.deviceId === long.deviceId)?.name).toBe(
      `${'a'.repeat(MAX_DEVICE_NAME - 1)}😀`,
    );
    const other = await createVenue(relay);
    expect(
      (await rename('Elsewhere', `/api/venues/${other.venueId}/devices/${staff.deviceId}`)).status,
    ).toBe(403);
    expect((await rename('Ghost', `${device}x`)).body.error).toBe('device-not-found');
    await api(relay.url, 'DELETE', device, { token: venue.adminToken });
    expect((await rename('Gone')).body.error).toBe('device-not-found');
    expect(await listedName()).toBe('Sam’s phone');
  });

  it('RP6 a revoked device is refused and its open sockets close with 4410', async () => {
    const kiosk = await pairDevice(relay, venue, 'kiosk');
    const provider = connect(relay.wsUrl, venue.venueId, kiosk.token);
    await synced(provider);
    const closed = closeCode(provider);
    const res = await api(
      relay.url,
      'DELETE',
      `/api/venues/${venue.venueId}/devices/${kiosk.deviceId}`,
      {
        token: venue.adminToken,
      },
    );
    expect(res.status).toBe(200);
    expect(await closed).toBe(CloseCode.revoked);
    provider.destroy();
    expect(await refusedWith(venue.venueId, kiosk.token)).toBe(CloseCode.revoked);
    const http = await api(relay.url, 'GET', `/api/venues/${venue.venueId}`, {
      token: kiosk.token,
    });
    expect(http.status).toBe(401);
    expect(http.body).toMatchObject({ error: 'token-revoked' });
  });

  it('RP7 rotating the guest link revokes guest tokens and closes guest sockets', async () => {
    const token = await guestToken(relay, venue);
    const provider = connect(relay.wsUrl, venue.venueId, token);
    await synced(provider);
    const closed = closeCode(provider);
    await api(relay.url, 'POST', `/api/venues/${venue.venueId}/guest-link`, {
      token: venue.adminToken,
    });
    expect(await closed).toBe(CloseCode.revoked);
    provider.destroy();
  });
});
