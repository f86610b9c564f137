import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { appendRaw, must, storedFacts, venueWorld } from './test-support';
import { programmeOrder } from './snapshot';

describe('registers', () => {
  it('VM5 a volume set later wins over one set offline earlier, whatever the client ids', () => {
    for (const [low, high] of [
      [1, 2],
      [2, 1],
    ]) {
      const w = venueWorld();
      const early = w.device('early', 'admin');
      const late = w.device('late', 'admin');
      early.peer.doc.clientID = high! * 1000;
      late.peer.doc.clientID = low! * 1000;
      w.net.disconnect(early.peer);
      must(early.venue.setSetting('volume', 30));
      w.tick(2 * 3600_000);
      must(late.venue.setSetting('volume', 70));
      w.net.heal();
      w.net.flush();
      expect(early.venue.snapshot().settings.volume).toBe(70);
      expect(late.venue.snapshot().settings.volume).toBe(70);
    }
  });

  it('VM5 an edit made after seeing another wins even when the editing device clock is behind', () => {
    const w = venueWorld();
    const ahead = w.device('ahead', 'admin', 25_000);
    const behind = w.device('behind', 'admin', -25_000);
    must(ahead.venue.setSetting('crossfadeSeconds', 2));
    w.net.flush();
    must(behind.venue.setSetting('crossfadeSeconds', 8));
    w.net.flush();
    expect(ahead.venue.snapshot().settings.crossfadeSeconds).toBe(8);
  });

  it('VM5 invalid values are refused and nothing is written', () => {
    const w = venueWorld();
    const admin = w.device('admin', 'admin');
    let writes = 0;
    admin.peer.doc.on('update', () => writes++);
    expect(admin.venue.setSetting('volume', 101)).toMatchObject({ ok: false, error: 'invalid' });
    expect(writes).toBe(0);
  });

  it('VM37 the gallery rotation is an admin setting within its bounds; staff may not change it', () => {
    const w = venueWorld();
    const admin = w.device('admin', 'admin');
    const staff = w.device('staff', 'staff');
    expect(admin.venue.snapshot().settings.gallery).toEqual({ every: 60, seconds: 10 });
    for (const bad of [
      { every: 10, seconds: 5 },
      { every: 30, seconds: 30 },
      { every: 60, seconds: 2 },
      { every: 4000, seconds: 10 },
      { every: 60 },
      null,
    ]) {
      expect(admin.venue.setSetting('gallery', bad as never)).toMatchObject({ error: 'invalid' });
    }
    must(admin.venue.setSetting('gallery', { every: 0, seconds: 10 }));
    must(admin.venue.setSetting('gallery', { every: 300, seconds: 20 }));
    expect(staff.venue.setSetting('gallery', { every: 30, seconds: 5 }).ok).toBe(false);
    w.net.flush();
    expect(staff.venue.snapshot().settings.gallery).toEqual({ every: 300, seconds: 20 });
  });

  it('VM32 the venue time zone is an admin setting holding an IANA name, or empty for each device’s own', () => {
    const w = venueWorld();
    const admin = w.device('admin', 'admin');
    const staff = w.device('staff', 'staff');
    expect(admin.venue.snapshot().settings.timeZone).toBe('');
    for (const bad of ['Europe/', '/London', 'Europe London', 'a/b/c/d', 'x'.repeat(65), 5, null]) {
      expect(admin.venue.setSetting('timeZone', bad as never)).toMatchObject({ error: 'invalid' });
    }
    for (const good of ['UTC', 'Etc/GMT+5', 'America/Argentina/Salta', 'Europe/London']) {
      must(admin.venue.setSetting('timeZone', good));
    }
    expect(staff.venue.setSetting('timeZone', 'Asia/Tokyo').ok).toBe(false);
    w.net.flush();
    expect(staff.venue.snapshot().settings.timeZone).toBe('Europe/London');
    must(admin.venue.setSetting('timeZone', ''));
  });

  it('VM7 shuffle gives every device the same order from the seed in the document', () => {
    const w = venueWorld();
    const a = w.device('a', 'admin');
    const b = w.device('b', 'admin');
    must(a.venue.loadPlaylist(Array.from({ length: 30 }, (_, i) => `t${i}`)));
    const seed = must(a.venue.setShuffle(true));
    w.net.flush();
    const order = programmeOrder(a.venue.snapshot()).map((e) => e.id);
    expect(programmeOrder(b.venue.snapshot()).map((e) => e.id)).toEqual(order);
    expect(order).not.toEqual(a.venue.snapshot().programme.entries.map((e) => e.id));
    expect(b.venue.snapshot().settings.shuffle).toEqual({ on: true, seed });
  });

  it('VM17 facts outside a role are ignored on read and reported', () => {
    const w = venueWorld();
    const admin = w.device('admin', 'admin');
    const rogue = w.device('rogue', 'kiosk');
    must(rogue.venue.kioskRequest({ id: 'ok-track', explicit: false }));
    const h = (storedFacts(rogue.peer.doc, 'rogue-w')[1] as { h: string }).h;
    appendRaw(
      rogue.peer.doc,
      'rogue-w',
      { k: 'r:set:volume', v: 100, h },
      { k: 'a:sneaky', lane: 'programme', prog: 'main', track: 'x', key: 'a5', h, at: w.now() },
      { k: 'i:stop', kind: 'emergency-stop', at: w.now(), h, stop: 0 },
      { k: 'beat', at: w.now() },
    );
    w.net.flush();
    const view = admin.venue.snapshot();
    expect(view.settings.volume).toBe(60);
    expect(view.lane.map((e) => e.track)).toEqual(['ok-track']);
    expect(view.programme.entries).toEqual([]);
    expect(view.intents).toEqual([]);
    expect(view.players).toEqual([]);
    const refused = view.problems.filter((p) => p.what.includes('not allowed for kiosk'));
    expect(refused.map((p) => p.what).sort()).toEqual([
      'add sneaky not allowed for kiosk',
      'intent stop not allowed for kiosk',
      'playback not allowed for kiosk',
      'register set:volume not allowed for kiosk',
    ]);
  });

  it('VM17 staff run transport, the queue and the sound, but not the cap, bans, schedules or devices', () => {
    const w = venueWorld();
    const admin = w.device('admin', 'admin');
    const staff = w.device('bar', 'staff');
    must(admin.venue.loadPlaylist(['a', 'b']));
    w.net.flush();
    must(staff.venue.setSetting('volume', 40));
    must(staff.venue.setSetting('crossfadeSeconds', 6));
    must(staff.venue.setShuffle(true));
    must(staff.venue.playNext('c'));
    must(staff.venue.addToProgramme('d'));
    must(staff.venue.sendIntent('pause'));
    const refused = [
      staff.venue.setSetting('volumeCap', 100),
      staff.venue.setSetting('requestsPerGuest', 9),
      staff.venue.banTrack('a'),
      staff.venue.setSlot({ id: 's', days: [1], start: 0, end: 60, playlist: 'p', volume: null }),
      staff.venue.revokeDevice('admin'),
    ];
    expect(refused.map((r) => (r.ok ? 'ok' : r.error))).toEqual(Array(5).fill('not-allowed'));
    appendRaw(staff.peer.doc, 'bar-w', {
      k: 'r:set:volumeCap',
      v: 100,
      h: (storedFacts(staff.peer.doc, 'bar-w')[1] as { h: string }).h,
    });
    w.net.flush();
    const view = admin.venue.snapshot();
    expect(view.settings).toMatchObject({ volume: 40, crossfadeSeconds: 6, volumeCap: 100 });
    must(admin.venue.setSetting('volumeCap', 80));
    w.net.flush();
    expect(admin.venue.snapshot().settings.volumeCap).toBe(80);
    expect(admin.venue.snapshot().problems.map((p) => p.what)).toContain(
      'register set:volumeCap not allowed for staff',
    );
  });

  it('VM17 a viewer cannot write, and is told so', () => {
    const w = venueWorld();
    w.device('admin', 'admin');
    const viewer = w.device('viewer', 'viewer');
    expect(viewer.venue.playNext('t')).toMatchObject({ ok: false, error: 'read-only' });
    expect(storedFacts(viewer.peer.doc, 'viewer-w')).toEqual([]);
    expect(Y.encodeStateVector(viewer.peer.doc)).toEqual(
      Y.encodeStateVector(w.devices[0]!.peer.doc),
    );
  });
});
