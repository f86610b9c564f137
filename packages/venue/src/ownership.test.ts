import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { WRITERS_MAP } from './schema';
import { must, venueWorld, type Device } from './test-support';

/** Records which writer logs each device's own transactions touch. */
function watch(devices: Device[]) {
  const written = new Map<string, Set<string>>();
  for (const d of devices) {
    const keys = new Set<string>();
    written.set(d.name, keys);
    const writers = d.peer.doc.getMap(WRITERS_MAP);
    d.peer.doc.on('afterTransaction', (tr: Y.Transaction) => {
      if (tr.origin !== d.venue) return;
      for (const [type, subs] of tr.changed) {
        if ((type as unknown) === writers) subs.forEach((key) => keys.add(`writers.${key}`));
        else if (type instanceof Y.Array && type.parent === writers) {
          keys.add(
            `writers.${(type as unknown as { _item: { parentSub: string } })._item.parentSub}`,
          );
        } else keys.add('(elsewhere)');
      }
    });
  }
  return () => Object.fromEntries([...written].map(([k, v]) => [k, [...v]]));
}

describe('ownership', () => {
  it('VM1 every operation of every role writes its own log and nothing else', () => {
    const w = venueWorld();
    const admin = w.device('admin', 'admin');
    const tv = w.device('tv', 'player');
    const kiosk = w.device('kiosk', 'kiosk');
    const written = watch([admin, tv, kiosk]);
    must(admin.venue.loadPlaylist(['a', 'b']));
    must(admin.venue.playNext('c'));
    must(admin.venue.setSetting('volume', 20));
    must(admin.venue.sendIntent('pause'));
    w.net.flush();
    must(tv.venue.claimLease());
    must(tv.venue.advance(null));
    must(tv.venue.applyIntents());
    must(kiosk.venue.kioskRequest({ id: 'd', explicit: false }));
    const next = must(admin.venue.playNext('f'));
    w.net.flush();
    must(kiosk.venue.kioskRequest({ id: 'e', explicit: false }));
    // Not for a request asked at this kiosk: that is the kiosk's own (VM39).
    must(kiosk.venue.vote(next, 'g3'));
    expect(written()).toEqual({
      admin: ['writers.admin-w'],
      tv: ['writers.tv-w'],
      kiosk: ['writers.kiosk-w'],
    });
  });
});
