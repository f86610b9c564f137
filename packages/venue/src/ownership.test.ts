import type * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { must, venueWorld } from './test-support';

describe('ownership', () => {
  it('VM1 every operation of every role writes its own ledger and nothing else', () => {
    const w = venueWorld();
    const admin = w.device('admin', 'admin');
    const tv = w.device('tv', 'player');
    const kiosk = w.device('kiosk', 'kiosk');
    const written = new Map<string, Set<string>>();
    for (const d of [admin, tv, kiosk]) {
      const keys = new Set<string>();
      written.set(d.name, keys);
      d.peer.doc.on('afterTransaction', (tr: Y.Transaction) => {
        if (tr.origin !== d.venue) return;
        for (const [type, subs] of tr.changed) {
          const root = [...d.peer.doc.share].find(([, t]) => t === type)?.[0] ?? '(nested)';
          subs.forEach((key) => keys.add(`${root}.${key ?? '(array)'}`));
        }
      });
    }
    must(admin.venue.loadPlaylist(['a', 'b']));
    must(admin.venue.playNext('c'));
    must(admin.venue.setSetting('volume', 20));
    must(admin.venue.sendIntent('pause'));
    w.net.flush();
    must(tv.venue.claimLease());
    must(tv.venue.advance(null));
    must(tv.venue.applyIntents());
    must(kiosk.venue.guestRequest('g', { id: 'd', explicit: false }));
    w.net.flush();
    must(
      kiosk.venue.vote(must(kiosk.venue.guestRequest('g2', { id: 'e', explicit: false })), 'g3'),
    );
    expect(Object.fromEntries([...written].map(([k, v]) => [k, [...v]]))).toEqual({
      admin: ['ledgers.admin-w'],
      tv: ['ledgers.tv-w'],
      kiosk: ['ledgers.kiosk-w'],
    });
  });
});
