/**
 * Queue operations by staff and guests: each writes facts into the writer's own ledger only (VM1),
 * so concurrent edits from any number of devices merge without loss or duplication (VM9, VM10).
 */
import type { Draft } from './Draft';
import { randomId } from './ids';
import { fact } from './ledger';
import type { OpContext } from './op-context';
import { keyBetween } from './order';
import { fail, ok, type Result } from './result';
import { LIMITS } from './schema';
import type { EntryView } from './snapshot';
import { isId } from './validate';

/** What the model needs to know of a track to accept a guest request. */
export interface TrackInfo {
  id: string;
  explicit: boolean;
}

function validId(id: string, what: string): Result<void> {
  return isId(id) ? ok(undefined) : fail('invalid', `${what} id is malformed`);
}

/** The refusal when an order key would outgrow its validator (VM9). */
const full = <T>() =>
  fail<T>('limit', 'too many entries were placed at this spot: move some elsewhere first');

/** The key just after `entry` in `list` (ordered by key), or at the end; null when too long. */
function keyAfter(list: EntryView[], entry: EntryView | null): string | null {
  if (!entry) return keyBetween(list.at(-1)?.key ?? null, null);
  const next = list.find((e) => e.key > entry.key);
  return keyBetween(entry.key, next?.key ?? null);
}

/** The key just before `entry` in `list` (ordered by key), or at the start; null when too long. */
function keyBefore(list: EntryView[], entry: EntryView | null): string | null {
  if (!entry) return keyBetween(null, list[0]?.key ?? null);
  const previous = list.filter((e) => e.key < entry.key).at(-1);
  return keyBetween(previous?.key ?? null, entry.key);
}

/** Lane entries placed by key: staff entries and requests staff moved (VM26). */
function keyedLane(ctx: OpContext): EntryView[] {
  return ctx.view.lane.filter((e) => !e.guest || ctx.facts.moves.has(e.id));
}

/** Adds a track to the programme, at the end or right after an entry. */
export function addToProgramme(
  ctx: OpContext,
  draft: Draft,
  track: string,
  after: string | null,
): Result<string> {
  const valid = validId(track, 'track');
  if (!valid.ok) return valid;
  const list = ctx.view.programme.entries;
  if (list.length >= LIMITS.programme) return fail('limit', 'the programme is full');
  const anchor = after === null ? null : (list.find((e) => e.id === after) ?? null);
  if (after !== null && !anchor) {
    return fail('not-found', 'that entry is no longer in the programme');
  }
  const key = keyAfter(list, anchor);
  if (key === null) return full();
  const id = randomId(ctx.random, 'e');
  draft.adds.set(
    id,
    fact.add(id, {
      lane: 'programme',
      prog: ctx.view.programme.id,
      track,
      key,
      h: ctx.h,
      at: ctx.now,
    }),
  );
  return ok(id);
}

/**
 * Puts a track at the front of the priority lane ("play next"). A track already waiting in the lane
 * is refused (`duplicate`): moving it is how it goes first (VM26).
 */
export function playNext(ctx: OpContext, draft: Draft, track: string): Result<string> {
  const valid = validId(track, 'track');
  if (!valid.ok) return valid;
  const playing = ctx.view.nowPlaying?.entry;
  if (ctx.view.lane.some((e) => e.track === track && e.id !== playing)) {
    return fail('duplicate', 'that track is already waiting in the lane: move it instead');
  }
  const key = keyBefore(keyedLane(ctx), null);
  if (key === null) return full();
  const id = randomId(ctx.random, 'e');
  draft.adds.set(id, fact.add(id, { lane: 'priority', track, key, h: ctx.h, at: ctx.now }));
  return ok(id);
}

/**
 * A guest's request, at the end of the lane. Refused when the track is banned, explicit while the
 * venue does not allow it, already pending or playing, or when the guest (or the kiosk, for a
 * kiosk's request) has as many pending as the venue allows (VM11). `id` makes a retried request
 * (e.g. a journal entry applied twice) count once.
 */
export function guestRequest(
  ctx: OpContext,
  draft: Draft,
  guest: string,
  track: TrackInfo,
  id: string = randomId(ctx.random, 'r'),
  kiosk = false,
): Result<string> {
  for (const check of [
    validId(guest, 'guest'),
    validId(track.id, 'track'),
    validId(id, 'request'),
  ]) {
    if (!check.ok) return check;
  }
  const { view } = ctx;
  if (draft.adds.has(id) || ctx.facts.adds.has(id) || ctx.facts.played.has(id)) {
    return ok(id);
  }
  if (view.bans.includes(track.id)) return fail('banned', 'this track is not played here');
  if (track.explicit && !view.settings.explicitAllowed) {
    return fail('explicit', 'explicit tracks are not allowed here');
  }
  if (view.nowPlaying?.track === track.id || view.lane.some((e) => e.track === track.id)) {
    return fail('duplicate', 'this track is already playing or requested');
  }
  const limit = kiosk ? view.settings.requestsPerKiosk : view.settings.requestsPerGuest;
  if (view.lane.filter((e) => e.guest === guest).length >= limit) {
    return fail('limit', `at most ${limit} requests at a time`);
  }
  const last = view.lane.reduce<string | null>(
    (max, e) => (max && max > e.key ? max : e.key),
    null,
  );
  const key = keyBetween(last, null);
  if (key === null) return full();
  draft.adds.set(
    id,
    fact.add(id, {
      lane: 'priority',
      track: track.id,
      key,
      h: ctx.h,
      at: ctx.now,
      guest,
      ...(kiosk ? { kiosk: true as const } : {}),
    }),
  );
  return ok(id);
}

/**
 * A guest likes a pending request; each guest counts once per entry. A request already counts as
 * its requester's wish, so its requester cannot vote it up (`own-request`, VM39): the guest who
 * asked for it, or, at a kiosk, anyone at the kiosk it was asked at (a shared screen cannot tell
 * one patron from the next).
 */
export function vote(ctx: OpContext, draft: Draft, entry: string, guest: string): Result<void> {
  const valid = validId(guest, 'guest');
  if (!valid.ok) return valid;
  const target = ctx.view.lane.find((e) => e.id === entry);
  if (!target) return fail('not-found', 'no such request');
  const atThisKiosk =
    ctx.identity.role === 'kiosk' && !!target.kiosk && target.guest === ctx.identity.device;
  if (target.guest === guest || atThisKiosk) {
    return fail('own-request', 'a request already counts as its requester’s wish');
  }
  const guests = draft.votes.get(entry)?.g ?? [];
  if (guests.includes(guest)) return ok(undefined);
  if (guests.length >= LIMITS.votes) return fail('limit', 'this request has all the votes it can');
  draft.votes.set(entry, fact.votes(entry, [...guests, guest]));
  return ok(undefined);
}

/**
 * What a removal says of the entry it removes: where it was, so that the removal is kept exactly as
 * long as that entry could show again (VM10).
 */
export type Removal = { lane: 'priority'; at: number } | { lane: 'programme'; prog: string };

function removeEntry(ctx: OpContext, draft: Draft, entry: EntryView) {
  const v: Removal =
    entry.lane === 'priority'
      ? { lane: 'priority', at: entry.addedAt }
      : { lane: 'programme', prog: ctx.view.programme.id };
  draft.setRegister(`rm:${entry.id}`, v, ctx.h);
}

/** Removes an entry from the lane or the programme. Removal wins over any concurrent move (VM10). */
export function remove(ctx: OpContext, draft: Draft, entry: string): Result<void> {
  const found =
    ctx.view.lane.find((e) => e.id === entry) ??
    ctx.view.programme.entries.find((e) => e.id === entry);
  if (!found) return fail('not-found', 'that entry is already gone');
  removeEntry(ctx, draft, found);
  return ok(undefined);
}

/**
 * Moves an entry within its list to just before `before` (or to the end when null). A move is a
 * position register: concurrent moves of one entry leave one copy, the newest winning (VM9). In the
 * lane a moved request takes its place among the staff's entries (VM26).
 */
export function move(
  ctx: OpContext,
  draft: Draft,
  entry: string,
  before: string | null,
): Result<void> {
  const inLane = ctx.view.lane.some((e) => e.id === entry);
  const all = inLane ? ctx.view.lane : ctx.view.programme.entries;
  if (!all.some((e) => e.id === entry)) return fail('not-found', 'that entry is no longer queued');
  if (before === entry) return fail('invalid', 'an entry cannot move before itself');
  if (before !== null && !all.some((e) => e.id === before)) {
    return fail('not-found', 'the target position is gone');
  }
  const list = (inLane ? keyedLane(ctx) : all).filter((e) => e.id !== entry);
  // Before a request that is not placed by key: at the end of the staff's entries.
  const anchor = before === null ? null : (list.find((e) => e.id === before) ?? null);
  const key = anchor ? keyBefore(list, anchor) : keyAfter(list, null);
  if (key === null) return full();
  draft.setRegister(`pos:${entry}`, key, ctx.h);
  return ok(undefined);
}

/** Replaces the programme with a playlist's tracks (or nothing), as a whole (VM13). */
export function loadProgramme(ctx: OpContext, draft: Draft, tracks: string[]): Result<string> {
  if (tracks.length > LIMITS.programme) {
    return fail('limit', `a programme holds at most ${LIMITS.programme} entries`);
  }
  for (const track of tracks) {
    const valid = validId(track, 'track');
    if (!valid.ok) return valid;
  }
  const id = randomId(ctx.random, 'p');
  draft.setRegister('prog', { id, e: [...tracks] }, ctx.h);
  return ok(id);
}

/** Clears the priority lane: every request this device can see is removed; unseen ones stay. */
export function clearLane(ctx: OpContext, draft: Draft): Result<number> {
  for (const entry of ctx.view.lane) removeEntry(ctx, draft, entry);
  return ok(ctx.view.lane.length);
}
