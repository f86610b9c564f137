/**
 * The venue's records through the relay (RP33, RP34): who may append plays and actions, how a
 * malformed one is refused, and the play history read by date range a page at a time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreateVenueResponse, HistoryPage, JournalPage } from '@djamms/protocol';
import {
  api,
  createVenue,
  guestToken,
  pairDevice,
  startTestRelay,
  type TestRelay,
} from './helpers';

const DAY = 86_400_000;

/** A play that started at `started` and played 3 minutes to its end. */
const play = (id: string, started: number, title = `Song ${id}`) => ({
  id,
  kind: 'play',
  at: started,
  data: {
    track: `t-${id}`,
    title,
    artist: 'Artist',
    album: 'Album',
    isrc: '',
    started,
    ended: started + 180_000,
    seconds: 180,
    endedBy: 'finished',
  },
});

describe('relay: play history and staff actions', () => {
  let relay: TestRelay;
  let venue: CreateVenueResponse;
  let tokens: Record<string, string>;
  const journal = () => `/api/venues/${venue.venueId}/journal`;
  const history = (query: string) => `/api/venues/${venue.venueId}/history?${query}`;
  const append = (token: string, entries: unknown[]) =>
    api(relay.url, 'POST', journal(), { token, body: { entries } });

  beforeAll(async () => {
    relay = await startTestRelay();
    venue = await createVenue(relay);
    tokens = { admin: venue.adminToken, guest: await guestToken(relay, venue) };
    for (const role of ['staff', 'player', 'kiosk', 'viewer'] as const) {
      tokens[role] = (
        await pairDevice(relay, venue, role, role === 'staff' ? 'Bar phone' : '')
      ).token;
    }
  });
  afterAll(() => relay?.dispose());

  it('RP33 players and staff append plays and actions; guests, kiosks and viewers are refused', async () => {
    const now = Date.now();
    for (const role of ['guest', 'kiosk', 'viewer']) {
      const refused = await append(tokens[role]!, [play(`${role}-p`, now)]);
      expect(refused, role).toMatchObject({
        status: 403,
        body: { error: 'journal-kind-forbidden' },
      });
      const action = { id: `${role}-a`, kind: 'action', at: now, data: { what: 'Hi' } };
      expect((await append(tokens[role]!, [action])).status, role).toBe(403);
    }
    expect((await append(tokens.player!, [play('p1', now)])).body).toMatchObject({ appended: 1 });
    const action = {
      id: 'a1',
      kind: 'action',
      at: now,
      data: { device: 'Bar phone', what: 'Paused' },
    };
    expect((await append(tokens.staff!, [action])).body).toMatchObject({ appended: 1 });
    // retried later with its original time (offline): nothing twice
    expect((await append(tokens.staff!, [action])).body).toMatchObject({ appended: 0 });
    const page = await api<JournalPage>(relay.url, 'GET', `${journal()}?kinds=play,action`, {
      token: tokens.admin,
    });
    expect(page.body.entries.map((e) => [e.id, e.role, e.at])).toEqual([
      ['p1', 'player', now],
      ['a1', 'staff', now],
    ]);
    expect(page.body.entries[1]?.data).toEqual({ what: 'Paused', device: 'Bar phone' });
  });

  it('RP33 a malformed play or action is refused with 400 naming the problem, and nothing is stored', async () => {
    const before = await api<JournalPage>(relay.url, 'GET', journal(), { token: tokens.admin });
    const good = play('good', Date.now());
    const cases: [unknown, string, string][] = [
      [{ ...good, data: { ...good.data, endedBy: 'paused' } }, 'invalid-play', 'endedBy'],
      [{ ...good, data: { ...good.data, seconds: 999 } }, 'invalid-play', 'seconds'],
      [{ ...good, at: good.at + 1 }, 'invalid-play', 'started'],
      [{ ...good, data: 'Song' }, 'invalid-play', 'data'],
      [{ id: 'x', kind: 'action', at: 1, data: { what: '' } }, 'invalid-action', 'what'],
    ];
    for (const [entry, error, named] of cases) {
      const res = await append(tokens.player!, [good, entry]);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error });
      expect(String(res.body.message)).toContain(named);
    }
    const after = await api<JournalPage>(relay.url, 'GET', journal(), { token: tokens.admin });
    expect(after.body.cursor).toBe(before.body.cursor);
  });

  it('RP34 the history holds the plays of a date range, paged by cursor; staff and admins only', async () => {
    const day0 = Date.UTC(2026, 5, 1);
    const plays = Array.from({ length: 25 }, (_, i) => play(`h${i}`, day0 + i * DAY));
    const noise = { id: 'n1', kind: 'action', at: day0 + DAY, data: { what: 'Skip' } };
    await append(tokens.player!, [...plays.slice(0, 12), noise, ...plays.slice(12)]);
    const read = async (query: string, token = tokens.staff!) =>
      api<HistoryPage>(relay.url, 'GET', history(query), { token });
    // June 3 to June 13: ten days, in pages of four
    const range = `from=${day0 + 2 * DAY}&to=${day0 + 12 * DAY}`;
    const ids: string[] = [];
    let cursor: string | null = '0';
    while (cursor !== null) {
      const page: { body: HistoryPage } = await read(`${range}&limit=4&after=${cursor}`);
      ids.push(...page.body.entries.map((e) => e.id));
      cursor = page.body.cursor;
    }
    expect(ids).toEqual(plays.slice(2, 12).map((p) => p.id));
    const first = await read(range, tokens.admin!);
    expect(first.body.entries[0]).toMatchObject({
      id: 'h2',
      at: day0 + 2 * DAY,
      data: plays[2]!.data,
    });
    expect(first.body.cursor).toBeNull();
    for (const role of ['player', 'guest', 'viewer']) {
      expect((await read(range, tokens[role]!)).status, role).toBe(403);
    }
    for (const bad of ['from=1', `from=${day0}&to=${day0}`, 'from=x&to=2', `${range}&limit=5000`]) {
      expect((await read(bad)).status, bad).toBe(400);
    }
  });

  it('RP34 the journal reads backwards from a cursor, by kind', async () => {
    const all = await api<JournalPage>(relay.url, 'GET', `${journal()}?kinds=play&limit=1000`, {
      token: tokens.admin,
    });
    const seqs = all.body.entries.map((e) => e.seq);
    const last = seqs[seqs.length - 1]!;
    const older = await api<JournalPage>(
      relay.url,
      'GET',
      `${journal()}?kinds=play&before=${last}&limit=3`,
      { token: tokens.admin },
    );
    expect(older.body.entries.map((e) => e.seq)).toEqual(seqs.slice(-4, -1));
    const bad = await api(relay.url, 'GET', `${journal()}?kinds=Play!`, { token: tokens.admin });
    expect(bad).toMatchObject({ status: 400, body: { error: 'invalid-kinds' } });
  });
});
