import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { must, venueWorld } from './test-support';

describe('growth', () => {
  it('VM20 plays, heartbeats, requests and settings leave the document no bigger', () => {
    const w = venueWorld(4);
    const admin = w.device('admin', 'admin');
    const tv = w.device('tv', 'player');
    must(admin.venue.loadPlaylist(Array.from({ length: 200 }, (_, i) => `t${i}`)));
    w.net.flush();
    must(tv.venue.claimLease());
    const day = (plays: number) => {
      for (let i = 0; i < plays; i++) {
        w.tick(60_000);
        must(tv.venue.heartbeat());
        if (i % 8 === 0) {
          tv.venue.applyGuestEntries(
            [
              {
                id: `j${w.now()}`,
                kind: 'request',
                guest: `g${i % 50}`,
                track: { id: `t${i % 200}`, explicit: false },
              },
            ],
            String(i),
          );
        }
        if (i % 30 === 0) must(admin.venue.setSetting('volume', i % 100));
        w.tick(120_000);
        must(tv.venue.advance(tv.venue.snapshot().nowPlaying?.entry ?? null));
      }
      w.net.flush();
      return Y.encodeStateAsUpdate(tv.peer.doc).length;
    };
    const afterFirst = day(500);
    const afterMore = day(1_500);
    expect(afterMore - afterFirst).toBeLessThan(1_500);
    expect(afterMore).toBeLessThan(16_000);
  });
});
