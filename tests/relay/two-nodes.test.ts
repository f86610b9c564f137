import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode } from '@djamms/protocol';
import { eventually } from '@djamms/test-harness';
import { InProcessRoomHub, MemoryRegistryStore, MemoryRoomStorage } from 'djamms-relay';
import {
  api,
  closeCode,
  connect,
  createVenue,
  pairDevice,
  startTestRelay,
  synced,
  type TestRelay,
} from './helpers';

/**
 * Two relays in one process sharing what cluster nodes share (issue 11's shape, without Redis or
 * PostgreSQL): room storage, the registry, the secret, and a bus between their rooms.
 */
describe('two relay nodes sharing their stores', () => {
  let a: TestRelay;
  let b: TestRelay;

  beforeAll(async () => {
    const rooms = new MemoryRoomStorage();
    const registry = new MemoryRegistryStore();
    const hub = new InProcessRoomHub();
    a = await startTestRelay({ stores: { rooms, registry, bus: hub.node() } });
    b = await startTestRelay({
      dataDir: a.dataDir,
      stores: { rooms, registry: new MemoryRegistryStore(registry), bus: hub.node() },
    });
  });
  afterAll(async () => {
    await b.close();
    await a.dispose();
  });

  it('RP32 stock clients on different nodes converge, and a late joiner on either has it all', async () => {
    const venue = await createVenue(a, 'Harbour Bar');
    const onA = connect(a.wsUrl, venue.venueId, venue.adminToken);
    const onB = connect(b.wsUrl, venue.venueId, venue.adminToken);
    await Promise.all([synced(onA), synced(onB)]);
    onA.doc.getMap('queue').set('first', 'Harbour Lights');
    onB.doc.getMap('queue').set('second', 'Last Orders');
    for (const client of [onA, onB]) {
      await eventually(() =>
        expect(client.doc.getMap('queue').toJSON()).toEqual({
          first: 'Harbour Lights',
          second: 'Last Orders',
        }),
      );
    }
    const late = connect(a.wsUrl, venue.venueId, venue.adminToken);
    await synced(late);
    expect(late.doc.getMap('queue').size).toBe(2);
    for (const client of [onA, onB, late]) client.destroy();
  });

  it('RP6 RP32 a device revoked through one node loses its socket on the other (4410)', async () => {
    const venue = await createVenue(a, 'Corner Pub');
    const kiosk = await pairDevice(a, venue, 'kiosk');
    const onB = connect(b.wsUrl, venue.venueId, kiosk.token);
    await synced(onB);
    const closed = closeCode(onB);
    const revoked = await api(
      a.url,
      'DELETE',
      `/api/venues/${venue.venueId}/devices/${kiosk.deviceId}`,
      {
        token: venue.adminToken,
      },
    );
    expect(revoked.status).toBe(200);
    expect(await closed).toBe(CloseCode.revoked);
    onB.destroy();
  });
});
