/**
 * The classic venue conflicts, each as a named scenario with real peers and controlled delivery.
 */
import { describe, expect, it } from 'vitest';
import { TIMING } from '@djamms/venue';
import { must, openBar, venueWorld } from '@djamms/venue/testing';

const bar = () => openBar(venueWorld(11), ['a', 'b', 'c', 'd']);

describe('classic conflicts', () => {
  it('VM4 admin skip while the track ends on the player: one advance', () => {
    const { w, admin, tv } = bar();
    const skip = must(admin.venue.sendIntent('skip'));
    const ending = tv.venue.snapshot().nowPlaying!.entry;
    must(tv.venue.advance(ending)); // the track ended on its own
    w.net.flush();
    const outcome = must(tv.venue.applyIntents())[skip];
    expect(outcome).toMatchObject({ s: 'rejected', why: 'target-changed' });
    expect(tv.venue.advance(ending)).toMatchObject({ ok: false, error: 'stale' });
    w.net.flush();
    expect(admin.venue.snapshot().nowPlaying?.track).toBe('b');
  });

  it('VM14 guest request while the programme advances: the request is kept and played once', () => {
    const { w, tv } = bar();
    const kiosk = w.device('kiosk', 'kiosk');
    w.net.disconnect(kiosk.peer);
    const request = must(kiosk.venue.kioskRequest({ id: 'req', explicit: false }));
    must(tv.venue.advance(tv.venue.snapshot().nowPlaying!.entry));
    must(tv.venue.advance(tv.venue.snapshot().nowPlaying!.entry));
    w.net.reconnect(kiosk.peer);
    w.net.flush();
    expect(tv.venue.snapshot().lane.map((e) => e.id)).toEqual([request]);
    must(tv.venue.advance(tv.venue.snapshot().nowPlaying!.entry));
    expect(tv.venue.snapshot().nowPlaying?.entry).toBe(request);
    must(tv.venue.advance(request));
    w.net.flush();
    const plays = tv.venue.snapshot();
    expect(plays.lane).toEqual([]);
    expect(kiosk.venue.snapshot().lane).toEqual([]);
    expect(plays.nowPlaying?.track).toBe('d');
  });

  it('VM9 two admins move the same entry offline: one copy', () => {
    const { w, admin } = bar();
    const other = w.device('admin2', 'admin');
    const entries = admin.venue.snapshot().programme.entries;
    w.net.disconnect(admin.peer);
    w.net.disconnect(other.peer);
    must(admin.venue.move(entries[3]!.id, entries[0]!.id));
    must(other.venue.move(entries[3]!.id, entries[1]!.id));
    w.net.heal();
    w.net.flush();
    const order = admin.venue.snapshot().programme.entries.map((e) => e.track);
    expect(order.filter((t) => t === 'd')).toHaveLength(1);
    expect(order).toHaveLength(4);
    expect(other.venue.snapshot().programme.entries.map((e) => e.track)).toEqual(order);
  });

  it('VM5 a phone offline for two hours sets volume 30, another sets 70 later: 70 wins, whatever the client ids', () => {
    for (const offlineHasHigherId of [true, false]) {
      const { w, tv } = bar();
      const offline = w.device('offline-phone', 'admin');
      const online = w.device('online-phone', 'admin');
      offline.peer.doc.clientID = offlineHasHigherId ? 4_000_000_000 : 1;
      online.peer.doc.clientID = offlineHasHigherId ? 1 : 4_000_000_000;
      w.net.disconnect(offline.peer);
      must(offline.venue.setSetting('volume', 30));
      w.tick(2 * 3600_000);
      must(online.venue.setSetting('volume', 70));
      w.net.reconnect(offline.peer);
      w.net.flush();
      for (const d of [offline, online, tv]) expect(d.venue.snapshot().settings.volume).toBe(70);
    }
  });

  it('VM2 a skip issued offline and delivered ten minutes late expires, and shows as expired', () => {
    const { w, admin, tv } = bar();
    w.net.disconnect(admin.peer);
    const skip = must(admin.venue.sendIntent('skip'));
    w.tick(10 * 60_000);
    must(tv.venue.heartbeat());
    w.net.reconnect(admin.peer);
    w.net.flush();
    expect(must(tv.venue.applyIntents())[skip]?.s).toBe('expired');
    w.net.flush();
    expect(tv.venue.snapshot().nowPlaying?.track).toBe('a');
    expect(admin.venue.snapshot().intents.find((i) => i.id === skip)?.status).toBe('expired');
    expect(TIMING.intentTtl).toBeLessThan(10 * 60_000);
  });

  it('VM6 emergency stop concurrent with play: stopped', () => {
    for (const stopFirst of [true, false]) {
      const { w, admin, tv } = bar();
      const other = w.device('admin2', 'admin');
      must(admin.venue.sendIntent('pause'));
      w.net.flush();
      must(tv.venue.applyIntents());
      w.net.flush();
      w.net.disconnect(admin.peer);
      w.net.disconnect(other.peer);
      const [first, second] = stopFirst ? [admin, other] : [other, admin];
      if (stopFirst) must(first.venue.sendIntent('emergency-stop'));
      else must(first.venue.sendIntent('play'));
      w.tick(500);
      if (stopFirst) must(second.venue.sendIntent('play'));
      else must(second.venue.sendIntent('emergency-stop'));
      w.net.heal();
      w.net.flush();
      must(tv.venue.applyIntents());
      w.net.flush();
      expect(tv.venue.snapshot().nowPlaying?.state).toBe('stopped');
      expect(admin.venue.snapshot().nowPlaying?.state).toBe('stopped');
    }
  });
});
