/**
 * Queue operations by staff and guests: each writes facts into the writer's own ledger only (VM1),
 * so concurrent edits from any number of devices merge without loss or duplication (VM9, VM10).
 */
import type { OpContext } from './context';
import { randomId } from './ids';
import { keyBetween, spreadKeys } from './order';
import { fail, ok, type Result } from './result';
import { LIMITS, type LedgerFact } from './schema';
import type { EntryView } from './snapshot';

/** What the model needs to know of a track to accept a guest request. */
export interface TrackInfo {
  id: string;
  explicit: boolean;
}

const ID_PATTERN = /^[A-Za-z0-9_:-]{1,64}$/;

function validId(id: string, what: string): Result<void> {
  return ID_PATTERN.test(id) ? ok(undefined) : fail('invalid', `${what} id is malformed`);
}

/** The key just after `entry` in `list` (ordered by key), or at the end. */
function keyAfter(list: EntryView[], entry: EntryView | null): string {
  if (!entry) return keyBetween(list.at(-1)?.key ?? null, null);
  const next = list.find((e) => e.key > entry.key);
  return keyBetween(entry.key, next?.key ?? null);
}

/** The key just before `entry` in `list`, or at the start. */
function keyBefore(list: EntryView[], entry: EntryView | null): string {
  if (!entry) return keyBetween(null, list[0]?.key ?? null);
  const previous = list.filter((e) => e.key < entry.key).at(-1);
  return keyBetween(previous?.key ?? null, entry.key);
}

/** Adds a track to the programme, at the end or right after an entry. */
export function addToProgramme(
  ctx: OpContext,
  draft: LedgerFact,
  track: string,
  after: string | null,
): Result<string> {
  const valid = validId(track, 'track');
  if (!valid.ok) return valid;
  const list = ctx.view.programme.entries;
  if (list.length >= LIMITS.programme) return fail('limit', 'the programme is full');
  const anchor = after === null ? null : (list.find((e) => e.id === after) ?? null);
  if (after !== null && !anchor)
    return fail('not-found', 'that entry is no longer in the programme');
  const id = randomId(ctx.random, 'e');
  draft.adds[id] = {
    lane: 'programme',
    prog: ctx.view.programme.id,
    track,
    key: keyAfter(list, anchor),
    h: ctx.h,
    at: ctx.now,
  };
  return ok(id);
}

/** Puts a track at the front of the priority lane ("play next"). */
export function playNext(ctx: OpContext, draft: LedgerFact, track: string): Result<string> {
  const valid = validId(track, 'track');
  if (!valid.ok) return valid;
  const id = randomId(ctx.random, 'e');
  draft.adds[id] = {
    lane: 'priority',
    track,
    key: keyBefore(ctx.view.lane, ctx.view.lane[0] ?? null),
    h: ctx.h,
    at: ctx.now,
  };
  return ok(id);
}

/**
 * A guest's request, at the end of the lane. Refused when the track is banned, explicit while the
 * venue does not allow it, already pending or playing, or when the guest has too many pending
 * (VM11). `id` makes a retried request (e.g. a journal entry applied twice) count once.
 */
export function guestRequest(
  ctx: OpContext,
  draft: LedgerFact,
  guest: string,
  track: TrackInfo,
  id: string = randomId(ctx.random, 'r'),
): Result<string> {
  for (const check of [
    validId(guest, 'guest'),
    validId(track.id, 'track'),
    validId(id, 'request'),
  ]) {
    if (!check.ok) return check;
  }
  const { view } = ctx;
  if (draft.adds[id] || ctx.facts.adds.has(id) || ctx.facts.played[id] !== undefined) {
    return ok(id);
  }
  if (view.bans.includes(track.id)) return fail('banned', 'this track is not played here');
  if (track.explicit && !view.settings.explicitAllowed) {
    return fail('explicit', 'explicit tracks are not allowed here');
  }
  if (view.nowPlaying?.track === track.id || view.lane.some((e) => e.track === track.id)) {
    return fail('duplicate', 'this track is already playing or requested');
  }
  if (view.lane.filter((e) => e.guest === guest).length >= LIMITS.requestsPerGuest) {
    return fail('limit', `at most ${LIMITS.requestsPerGuest} requests at a time`);
  }
  draft.adds[id] = {
    lane: 'priority',
    track: track.id,
    key: keyAfter(view.lane, null),
    h: ctx.h,
    at: ctx.now,
    guest,
  };
  return ok(id);
}

/** A guest likes a pending request; each guest counts once per entry. */
export function vote(ctx: OpContext, draft: LedgerFact, entry: string, guest: string) {
  const valid = validId(guest, 'guest');
  if (!valid.ok) return valid;
  if (!ctx.view.lane.some((e) => e.id === entry)) return fail('not-found', 'no such request');
  const guests = new Set(draft.votes[entry] ?? []);
  guests.add(guest);
  draft.votes[entry] = [...guests];
  return ok(undefined);
}

/** Removes an entry from the lane or the programme. Removal wins over any concurrent move (VM10). */
export function remove(ctx: OpContext, draft: LedgerFact, entry: string): Result<void> {
  const known =
    ctx.view.lane.some((e) => e.id === entry) ||
    ctx.view.programme.entries.some((e) => e.id === entry);
  if (!known) return fail('not-found', 'that entry is already gone');
  draft.regs[`rm:${entry}`] = { v: true, h: ctx.h };
  return ok(undefined);
}

/**
 * Moves an entry within its list to just before `before` (or to the end when null). A move is a
 * position register: concurrent moves of one entry leave one copy, the newest winning (VM9).
 */
export function move(
  ctx: OpContext,
  draft: LedgerFact,
  entry: string,
  before: string | null,
): Result<void> {
  const inLane = ctx.view.lane.some((e) => e.id === entry);
  const list = (inLane ? ctx.view.lane : ctx.view.programme.entries).filter((e) => e.id !== entry);
  if (!inLane && !ctx.view.programme.entries.some((e) => e.id === entry)) {
    return fail('not-found', 'that entry is no longer queued');
  }
  const anchor = before === null ? null : (list.find((e) => e.id === before) ?? null);
  if (before !== null && !anchor) return fail('not-found', 'the target position is gone');
  const key = anchor ? keyBefore(list, anchor) : keyAfter(list, null);
  draft.regs[`pos:${entry}`] = { v: key, h: ctx.h };
  return ok(undefined);
}

/** Replaces the programme with a playlist's tracks (or nothing), as a whole (VM13). */
export function loadProgramme(ctx: OpContext, draft: LedgerFact, tracks: string[]): Result<string> {
  if (tracks.length > LIMITS.programme) return fail('limit', 'the playlist is too long');
  for (const track of tracks) {
    const valid = validId(track, 'track');
    if (!valid.ok) return valid;
  }
  const id = randomId(ctx.random, 'p');
  const keys = spreadKeys(tracks.length);
  draft.regs.prog = {
    v: { id, e: tracks.map((track, i) => [randomId(ctx.random, 'e'), track, keys[i]]) },
    h: ctx.h,
  };
  return ok(id);
}

/** Clears the priority lane: every request this device can see is removed; unseen ones stay. */
export function clearLane(ctx: OpContext, draft: LedgerFact): Result<number> {
  for (const entry of ctx.view.lane) draft.regs[`rm:${entry.id}`] = { v: true, h: ctx.h };
  return ok(ctx.view.lane.length);
}
