import { describe, expect, it } from 'vitest';
import { appendRaw, must, venueWorld } from './test-support';
import { LIMITS, TIMING } from './schema';

function world() {
  const w = venueWorld();
  const a = w.device('a', 'admin');
  const b = w.device('b', 'admin');
  const tv = w.device('tv', 'player');
  must(a.venue.loadPlaylist(['t1', 't2', 't3', 't4']));
  w.net.flush();
  must(tv.venue.claimLease());
  w.net.flush();
  return { w, a, b, tv };
}

const tracks = (entries: { track: string }[]) => entries.map((e) => e.track);

describe('queues', () => {
  it('VM14 concurrent adds from offline devices all survive the merge', () => {
    const { w, a, b } = world();
    w.net.disconnect(a.peer);
    w.net.disconnect(b.peer);
    must(a.venue.addToProgramme('x1'));
    must(b.venue.addToProgramme('x2'));
    must(a.venue.playNext('y1'));
    must(b.venue.playNext('y2'));
    w.net.heal();
    w.net.flush();
    const view = a.venue.snapshot();
    expect(tracks(view.programme.entries)).toEqual(expect.arrayContaining(['x1', 'x2']));
    expect(tracks(view.lane).sort()).toEqual(['y1', 'y2']);
    expect(view.programme.entries).toHaveLength(6);
    expect(b.venue.snapshot().programme).toEqual(view.programme);
  });

  it('VM14 an add after a given entry lands right after it', () => {
    const { a } = world();
    const second = a.venue.snapshot().programme.entries[1]!.id;
    must(a.venue.addToProgramme('x', second));
    expect(tracks(a.venue.snapshot().programme.entries)).toEqual(['t1', 't2', 'x', 't3', 't4']);
  });

  it('VM9 two admins moving the same entry offline leave one copy, at the newest position', () => {
    const { w, a, b } = world();
    const [e1, e2, , e4] = a.venue.snapshot().programme.entries;
    w.net.disconnect(a.peer);
    w.net.disconnect(b.peer);
    must(a.venue.move(e1!.id, e4!.id));
    w.tick(1_000);
    must(b.venue.move(e1!.id, e2!.id));
    w.net.heal();
    w.net.flush();
    const view = a.venue.snapshot();
    expect(view.programme.entries.filter((e) => e.id === e1!.id)).toHaveLength(1);
    expect(tracks(view.programme.entries)).toEqual(['t1', 't2', 't3', 't4']);
    expect(b.venue.snapshot().programme).toEqual(view.programme);
  });

  it('VM10 a removal beats a concurrent move; the entry never comes back', () => {
    const { w, a, b } = world();
    const target = a.venue.snapshot().programme.entries[0]!;
    w.net.disconnect(a.peer);
    must(a.venue.remove(target.id));
    w.tick(5_000);
    must(b.venue.move(target.id, null));
    w.net.heal();
    w.net.flush();
    for (const device of [a, b]) {
      expect(device.venue.snapshot().programme.entries.some((e) => e.id === target.id)).toBe(false);
    }
    expect(b.venue.move(target.id, null)).toMatchObject({ ok: false, error: 'not-found' });
  });

  it('VM11 a guest gets at most three pending requests and no duplicates; refusals say why', () => {
    const { w, a, tv } = world();
    const request = (guest: string, track: string, explicit = false) =>
      a.venue.guestRequest(guest, { id: track, explicit });
    for (let i = 0; i < LIMITS.requestsPerGuest; i++) must(request('g1', `r${i}`));
    expect(request('g1', 'r9')).toMatchObject({ error: 'limit' });
    expect(request('g2', 'r0')).toMatchObject({ error: 'duplicate' });
    expect(request('g2', 'rx', true)).toMatchObject({ error: 'explicit' });
    must(a.venue.banTrack('nope'));
    expect(request('g2', 'nope')).toMatchObject({ error: 'banned' });
    w.net.flush();
    expect(tv.venue.snapshot().lane).toHaveLength(LIMITS.requestsPerGuest);
  });

  it('VM11 a kiosk is shared: its patrons are not one guest, and it has its own limit that admins set', () => {
    const { w, a, tv } = world();
    const kiosk = w.device('kiosk', 'kiosk');
    const ask = (track: string) => kiosk.venue.kioskRequest({ id: track, explicit: false });
    for (let i = 0; i < LIMITS.requestsPerKiosk; i++) must(ask(`k${i}`));
    expect(ask('one-more')).toMatchObject({ error: 'limit' });
    expect(kiosk.venue.guestRequest('g1', { id: 'x', explicit: false })).toMatchObject({
      error: 'not-allowed',
    });
    must(a.venue.setSetting('requestsPerKiosk', 12));
    w.net.flush();
    must(ask('one-more'));
    w.net.flush();
    const lane = tv.venue.snapshot().lane;
    expect(lane).toHaveLength(LIMITS.requestsPerKiosk + 1);
    expect(lane.every((e) => e.kiosk && e.guest === 'kiosk')).toBe(true);
  });

  it('VM11 the same limits hold on read when two kiosks and the journal accept requests concurrently', () => {
    const { w, a, tv } = world();
    const k1 = w.device('k1', 'kiosk');
    const k2 = w.device('k2', 'kiosk');
    must(a.venue.setSetting('requestsPerKiosk', 2));
    w.net.flush();
    for (const d of [k1, k2, tv]) w.net.disconnect(d.peer);
    for (const [k, tracks] of [
      [k1, ['s1', 'dup']],
      [k2, ['s3', 'dup']],
    ] as const) {
      for (const t of tracks) must(k.venue.kioskRequest({ id: t, explicit: false }));
    }
    must(
      tv.venue.applyGuestEntries(
        ['j1', 'j2', 'j3'].map((id) => ({
          id,
          kind: 'request' as const,
          guest: 'g1',
          track: { id: `t-${id}`, explicit: false },
        })),
        '3',
      ),
    );
    must(a.venue.guestRequest('g1', { id: 'extra', explicit: false }));
    w.net.heal();
    w.net.flush();
    const lane = a.venue.snapshot().lane;
    expect(lane.filter((e) => e.guest === 'g1')).toHaveLength(LIMITS.requestsPerGuest);
    expect(lane.filter((e) => e.track === 'dup')).toHaveLength(1);
    expect(new Set(lane.map((e) => e.track)).size).toBe(lane.length);
    expect(k2.venue.snapshot().lane).toEqual(lane);
  });

  it('VM11 a guest reads what became of each request and vote from the journal', () => {
    const { w, a, tv } = world();
    must(a.venue.banTrack('banned'));
    must(a.venue.setSetting('requestsPerGuest', 1));
    w.net.flush();
    const entries = [
      { id: 'j1', kind: 'request' as const, guest: 'g1', track: { id: 'ok', explicit: false } },
      { id: 'j2', kind: 'request' as const, guest: 'g1', track: { id: 'more', explicit: false } },
      { id: 'j3', kind: 'request' as const, guest: 'g2', track: { id: 'banned', explicit: false } },
      { id: 'j4', kind: 'request' as const, guest: 'g2', track: { id: 'ok', explicit: false } },
      { id: 'j5', kind: 'request' as const, guest: 'g2', track: { id: 'rude', explicit: true } },
      { id: 'j6', kind: 'vote' as const, guest: 'g2', entry: 'j1' },
      { id: 'j7', kind: 'vote' as const, guest: 'g2', entry: 'gone' },
    ];
    expect(must(tv.venue.applyGuestEntries(entries, '7'))).toEqual({
      j2: 'limit',
      j3: 'banned',
      j4: 'duplicate',
      j5: 'explicit',
      j7: 'not-found',
    });
    w.net.flush();
    expect(a.venue.snapshot().guestOutcomes).toEqual({
      j1: { status: 'accepted' },
      j2: { status: 'refused', why: 'limit' },
      j3: { status: 'refused', why: 'banned' },
      j4: { status: 'refused', why: 'duplicate' },
      j5: { status: 'refused', why: 'explicit' },
      j6: { status: 'accepted' },
      j7: { status: 'refused', why: 'not-found' },
    });
    w.tick(TIMING.outcomeTtl + 1);
    must(tv.venue.heartbeat());
    expect(tv.venue.snapshot().guestOutcomes).toEqual({});
  });

  it('VM39 a requester cannot vote its own request up: a guest link’s, a kiosk’s, nor a vote that slips in', () => {
    const { w, tv } = world();
    const kiosk = w.device('kiosk', 'kiosk');
    const other = w.device('kiosk2', 'kiosk');
    const req = (id: string, guest: string, track: string) => ({
      id,
      kind: 'request' as const,
      guest,
      track: { id: track, explicit: false },
    });
    const vote = (id: string, guest: string, entry: string) => ({
      id,
      kind: 'vote' as const,
      guest,
      entry,
    });
    must(tv.venue.applyGuestEntries([req('j1', 'g1', 'one')], '1'));
    expect(
      must(tv.venue.applyGuestEntries([vote('j2', 'g1', 'j1'), vote('j3', 'g2', 'j1')], '3')),
    ).toEqual({ j2: 'own-request' });
    w.net.flush();
    const asked = must(kiosk.venue.kioskRequest({ id: 'two', explicit: false }));
    w.net.flush();
    // Any patron at the kiosk it was asked at: the kiosk cannot tell them apart.
    expect(kiosk.venue.vote(asked, 'patron-b')).toMatchObject({ ok: false, error: 'own-request' });
    must(other.venue.vote(asked, 'patron-c'));
    must(kiosk.venue.vote('j1', 'patron-b'));
    // A guest's own vote that reaches the venue anyway (an older app) is not counted.
    appendRaw(kiosk.peer.doc, 'kiosk-w', { k: 'v:j1', g: ['patron-b', 'g1'] });
    w.net.flush();
    const votes = Object.fromEntries(tv.venue.snapshot().lane.map((e) => [e.track, e.votes]));
    expect(votes).toEqual({ one: 2, two: 1 });
  });

  it('VM26 the lane plays staff entries first, then requests by votes, then by when they came', () => {
    const { w, a, tv } = world();
    const request = (id: string, guest: string) => ({
      id,
      kind: 'request' as const,
      guest,
      track: { id: `t-${id}`, explicit: false },
    });
    const vote = (id: string, guest: string, entry: string) => ({
      id,
      kind: 'vote' as const,
      guest,
      entry,
    });
    must(
      tv.venue.applyGuestEntries(
        [request('j1', 'g1'), request('j2', 'g2'), request('j3', 'g3')],
        '3',
      ),
    );
    w.tick(1_000);
    must(
      tv.venue.applyGuestEntries(
        [vote('j4', 'g4', 'j3'), vote('j5', 'g5', 'j3'), vote('j6', 'g6', 'j2')],
        '6',
      ),
    );
    w.net.flush();
    must(a.venue.playNext('staff-1'));
    must(a.venue.playNext('staff-2'));
    const order = () => a.venue.snapshot().lane.map((e) => e.track);
    expect(order()).toEqual(['staff-2', 'staff-1', 't-j3', 't-j2', 't-j1']);
    // Each guest's screen can tell which requests it voted for; a second vote counts once.
    expect(a.venue.votedBy('g4')).toEqual(new Set(['j3']));
    must(tv.venue.applyGuestEntries([vote('j7', 'g4', 'j3'), vote('j8', 'g4', 'j1')], '8'));
    w.net.flush();
    expect(a.venue.votedBy('g4')).toEqual(new Set(['j3', 'j1']));
    expect(a.venue.snapshot().lane.find((e) => e.id === 'j3')?.votes).toBe(2);
    expect(a.venue.votedBy('g1')).toEqual(new Set());
    must(a.venue.move('j1', a.venue.snapshot().lane[1]!.id));
    expect(order()).toEqual(['staff-2', 't-j1', 'staff-1', 't-j3', 't-j2']);
    w.net.flush();
    expect(tv.venue.upNext(5).map((e) => e.track)).toEqual(order());
  });

  it('VM26 play next refuses a track already waiting in the lane', () => {
    const { a } = world();
    must(a.venue.playNext('t1'));
    expect(a.venue.playNext('t1')).toMatchObject({ ok: false, error: 'duplicate' });
    must(a.venue.playNext('t2'));
    expect(a.venue.snapshot().lane.map((e) => e.track)).toEqual(['t2', 't1']);
  });

  it('VM11 a journal batch applied twice counts each request once', () => {
    const { w, tv } = world();
    const batch = [
      { id: 'j1', kind: 'request' as const, guest: 'g1', track: { id: 'q1', explicit: false } },
      { id: 'j2', kind: 'request' as const, guest: 'g2', track: { id: 'q2', explicit: false } },
    ];
    must(tv.venue.applyGuestEntries(batch, 'c2'));
    must(tv.venue.applyGuestEntries(batch, 'c2'));
    w.net.flush();
    expect(tracks(tv.venue.snapshot().lane)).toEqual(['q1', 'q2']);
    must(tv.venue.applyGuestEntries([{ id: 'j3', kind: 'vote', guest: 'g3', entry: 'j1' }], 'c3'));
    expect(tv.venue.snapshot().lane[0]?.votes).toBe(1);
  });

  it('VM12 a request not played within twelve hours expires', () => {
    const { w, a } = world();
    must(a.venue.playNext('late'));
    w.tick(TIMING.laneTtl - 1);
    expect(a.venue.snapshot().lane).toHaveLength(1);
    w.tick(2);
    expect(a.venue.snapshot().lane).toHaveLength(0);
  });

  it('VM13 loading a playlist replaces the programme whole; concurrent edits to the old one vanish, the lane stays', () => {
    const { w, a, b } = world();
    w.net.disconnect(b.peer);
    must(b.venue.addToProgramme('old-add'));
    must(a.venue.playNext('req'));
    w.tick(1_000);
    must(a.venue.loadPlaylist(['n1', 'n2']));
    w.net.heal();
    w.net.flush();
    const view = b.venue.snapshot();
    expect(tracks(view.programme.entries)).toEqual(['n1', 'n2']);
    expect(tracks(view.lane)).toEqual(['req']);
    must(a.venue.clearProgramme());
    expect(a.venue.snapshot().programme.entries).toEqual([]);
  });

  it('VM13 clearing the lane removes what this device saw; a concurrent request survives', () => {
    const { w, a, tv } = world();
    must(a.venue.playNext('seen'));
    w.net.flush();
    w.net.disconnect(a.peer);
    must(tv.venue.guestRequest('g1', { id: 'unseen', explicit: false }));
    must(a.venue.clearLane());
    w.net.heal();
    w.net.flush();
    expect(tracks(tv.venue.snapshot().lane)).toEqual(['unseen']);
  });
});
