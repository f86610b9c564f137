/**
 * Player operations. Playback state has one writer, the active player (VM1, VM3); advancing names the
 * entry it finishes (VM4); intents are applied at most once, only while fresh and on target (VM2).
 */
import type { OpContext } from './context';
import { emptyPlayer } from './ledger';
import { fail, ok, type Result } from './result';
import {
  TIMING,
  type IntentFact,
  type LedgerFact,
  type OutcomeFact,
  type PlayerFact,
} from './schema';
import { guestRequest, loadProgramme, vote, type TrackInfo } from './queue-ops';
import { activeSlot, type LocalTime } from './schedule';
import { upNext, type EntryView } from './snapshot';

/** The draft's player state, created on first use. */
export function playerOf(ctx: OpContext, draft: LedgerFact): PlayerFact {
  draft.player ??= emptyPlayer(ctx.now);
  return draft.player;
}

/** Records that this player is alive; renews its lease if it holds one. */
export function heartbeat(ctx: OpContext, draft: LedgerFact): Result<void> {
  const player = playerOf(ctx, draft);
  player.beat = ctx.now;
  if (player.lease) player.lease.at = ctx.now;
  return ok(undefined);
}

/**
 * Claims the active-player lease. Refused while another player holds a live lease unless `force`
 * (a person chose this device). The new holder continues exactly where the last one was.
 */
export function claimLease(ctx: OpContext, draft: LedgerFact, force: boolean): Result<number> {
  const holder = ctx.facts.active;
  const player = playerOf(ctx, draft);
  if (holder?.writer === ctx.identity.writer) return ok(holder.fact.lease!.epoch);
  if (holder && !force && ctx.now - holder.fact.beat < TIMING.leaseTtl) {
    return fail('lease-held', `${holder.name || 'another player'} is playing`);
  }
  const epoch = Math.max(0, ...ctx.facts.players.map((p) => p.fact.lease?.epoch ?? 0)) + 1;
  if (holder) {
    const { playback, cursor, history, stop, journal, slot } = holder.fact;
    Object.assign(player, structuredClone({ playback, cursor, history, stop, journal, slot }));
  }
  // Played requests and decided intents are unions: nothing any player did is forgotten (VM2, VM4).
  player.played = { ...ctx.facts.played, ...player.played };
  player.outcomes = { ...ctx.facts.outcomes, ...player.outcomes };
  player.beat = ctx.now;
  player.lease = { epoch, at: ctx.now };
  return ok(epoch);
}

/** Gives the lease up (the player is shutting down or handing over). */
export function releaseLease(ctx: OpContext, draft: LedgerFact): Result<void> {
  playerOf(ctx, draft).lease = null;
  return ok(undefined);
}

function activeDraft(ctx: OpContext, draft: LedgerFact): Result<PlayerFact> {
  if (ctx.facts.active?.writer !== ctx.identity.writer || !draft.player?.lease) {
    return fail('not-active', 'this device does not hold the active-player lease');
  }
  return ok(draft.player);
}

function currentPosition(player: PlayerFact, now: number): number {
  const p = player.playback;
  if (!p) return 0;
  return p.pos + (p.state === 'playing' ? Math.max(0, now - p.at) : 0);
}

/** Starts `entry` from the top. */
function start(player: PlayerFact, entry: EntryView, now: number) {
  player.playback = {
    entry: entry.id,
    track: entry.track,
    lane: entry.lane,
    state: 'playing',
    pos: 0,
    at: now,
  };
  if (entry.lane === 'priority') player.played[entry.id] = now;
  else player.cursor = { entry: entry.id, key: entry.key };
  player.history.push({ entry: entry.id, track: entry.track, lane: entry.lane, at: now });
}

/** Starts whatever is next, or stops when nothing is. */
function startNext(ctx: OpContext, player: PlayerFact) {
  const lane = ctx.view.lane.filter((e) => player.played[e.id] === undefined);
  const next = upNext({ ...ctx.view, lane, cursor: player.cursor, nowPlaying: null }, 1)[0];
  if (next) start(player, next, ctx.now);
  else if (player.playback)
    player.playback = { ...player.playback, state: 'stopped', pos: 0, at: ctx.now };
}

/**
 * Finishes `finishing` and starts the next entry. A second advance of the same entry (the track
 * ended while a skip for it was in flight) is refused as stale: nothing is skipped twice (VM4).
 */
export function advance(
  ctx: OpContext,
  draft: LedgerFact,
  finishing: string | null,
): Result<string | null> {
  const active = activeDraft(ctx, draft);
  if (!active.ok) return active;
  const player = active.value;
  if ((player.playback?.entry ?? null) !== finishing) {
    return fail('stale', 'that entry is no longer the one playing');
  }
  startNext(ctx, player);
  return ok(player.playback?.state === 'playing' ? player.playback.entry : null);
}

/** Reports playback state and position as measured by the player's media element. */
export function reportState(
  ctx: OpContext,
  draft: LedgerFact,
  state: 'playing' | 'paused' | 'buffering',
  positionMs: number,
): Result<void> {
  const active = activeDraft(ctx, draft);
  if (!active.ok) return active;
  const playback = active.value.playback;
  if (!playback) return fail('not-found', 'nothing is playing');
  if (!(positionMs >= 0 && positionMs < 1e9)) return fail('invalid', 'position out of range');
  active.value.playback = { ...playback, state, pos: Math.round(positionMs), at: ctx.now };
  return ok(undefined);
}

type Decision = { s: OutcomeFact['s']; why?: string };

/** Intents that name the entry they act on; a safety stop never does. */
const TARGETED: readonly IntentFact['kind'][] = ['skip', 'seek', 'previous', 'pause'];

function decide(ctx: OpContext, player: PlayerFact, intent: IntentFact): Decision {
  if (Math.abs(ctx.now - intent.at) > TIMING.intentTtl) return { s: 'expired' };
  const playback = player.playback;
  const targeted = TARGETED.includes(intent.kind);
  if (targeted && intent.entry !== undefined && intent.entry !== playback?.entry) {
    return { s: 'rejected', why: 'target-changed' };
  }
  switch (intent.kind) {
    case 'emergency-stop':
      player.stop += 1;
      if (playback)
        player.playback = {
          ...playback,
          state: 'stopped',
          pos: currentPosition(player, ctx.now),
          at: ctx.now,
        };
      return { s: 'applied' };
    case 'fade-out-stop':
    case 'pause': {
      if (!playback || playback.state === 'stopped') return { s: 'rejected', why: 'not-playing' };
      const state = intent.kind === 'pause' ? 'paused' : 'stopped';
      player.playback = { ...playback, state, pos: currentPosition(player, ctx.now), at: ctx.now };
      return { s: 'applied' };
    }
    case 'play':
      if (intent.stop < player.stop) return { s: 'rejected', why: 'emergency-stop' };
      if (!playback) startNext(ctx, player);
      else player.playback = { ...playback, state: 'playing', at: ctx.now };
      return player.playback ? { s: 'applied' } : { s: 'rejected', why: 'nothing-queued' };
    case 'skip':
      if (!playback) return { s: 'rejected', why: 'not-playing' };
      startNext(ctx, player);
      return { s: 'applied' };
    case 'seek':
      if (!playback) return { s: 'rejected', why: 'not-playing' };
      player.playback = { ...playback, pos: intent.pos ?? 0, at: ctx.now };
      return { s: 'applied' };
    case 'previous':
      return previous(ctx, player);
  }
}

/** Restarts the current track, or goes back one play when near its start. */
function previous(ctx: OpContext, player: PlayerFact): Decision {
  const playback = player.playback;
  if (!playback) return { s: 'rejected', why: 'not-playing' };
  const before = player.history.at(-2);
  const entry = before && ctx.view.programme.entries.find((e) => e.id === before.entry);
  if (currentPosition(player, ctx.now) > 5_000 || !entry) {
    player.playback = { ...playback, pos: 0, at: ctx.now, state: 'playing' };
  } else {
    start(player, entry, ctx.now);
  }
  return { s: 'applied' };
}

/**
 * Applies every pending intent in stamp order: at most once, only while fresh, only on target, and
 * an emergency stop beats any play that had not seen it (VM2, VM6). Returns the outcomes.
 */
export function applyIntents(
  ctx: OpContext,
  draft: LedgerFact,
): Result<Record<string, OutcomeFact>> {
  const active = activeDraft(ctx, draft);
  if (!active.ok) return active;
  const player = active.value;
  const decided: Record<string, OutcomeFact> = {};
  const pending = ctx.facts.intents
    // Long-expired intents are ignored, not decided: their outcome may already have been tidied away.
    .filter((i) => ctx.now - i.at < TIMING.outcomeTtl - TIMING.intentTtl)
    .filter((i) => player.outcomes[i.id] === undefined && ctx.facts.outcomes[i.id] === undefined)
    .sort((a, b) => (a.h < b.h ? -1 : a.h > b.h ? 1 : 0));
  for (const intent of pending) {
    const decision = decide(ctx, player, intent);
    const outcome: OutcomeFact = { s: decision.s, kind: intent.kind, by: intent.by, at: ctx.now };
    if (decision.why) outcome.why = decision.why;
    player.outcomes[intent.id] = outcome;
    decided[intent.id] = outcome;
  }
  return ok(decided);
}

/** A guest's request or vote as it arrives through the relay's journal. */
export type GuestEntry =
  | { id: string; kind: 'request'; guest: string; track: TrackInfo }
  | { id: string; kind: 'vote'; guest: string; entry: string };

/**
 * Applies guest entries from the journal, in journal order, and records the journal cursor. Each
 * request is keyed by its journal entry id, so a batch applied twice counts once. Returns the
 * refusals (a refused request stays refused; the guest sees why through the journal reply).
 */
export function applyGuestEntries(
  ctx: OpContext,
  draft: LedgerFact,
  entries: GuestEntry[],
  cursor: string,
): Result<Record<string, string>> {
  const active = activeDraft(ctx, draft);
  if (!active.ok) return active;
  const refused: Record<string, string> = {};
  let view = ctx.view;
  for (const entry of entries) {
    const step = { ...ctx, view };
    const result =
      entry.kind === 'request'
        ? guestRequest(step, draft, entry.guest, entry.track, entry.id)
        : vote(step, draft, entry.entry, entry.guest);
    if (!result.ok) refused[entry.id] = result.error;
    else if (entry.kind === 'request') view = withRequest(view, draft, entry.id);
  }
  active.value.journal = cursor;
  return ok(refused);
}

/** The view with a just-accepted request appended, so limits hold within one batch. */
function withRequest(view: OpContext['view'], draft: LedgerFact, id: string) {
  const add = draft.adds[id];
  if (!add || view.lane.some((e) => e.id === id)) return view;
  const entry: EntryView = {
    id,
    track: add.track,
    lane: 'priority',
    key: add.key,
    by: draft.w,
    votes: 0,
    addedAt: add.at,
  };
  if (add.guest) entry.guest = add.guest;
  return { ...view, lane: [...view.lane, entry] };
}

/**
 * Follows the schedule: when a new slot occurrence starts, its playlist becomes the programme and
 * its volume the volume. `tracksOf` resolves a playlist from the library (null when unknown).
 */
export function applySchedule(
  ctx: OpContext,
  draft: LedgerFact,
  local: LocalTime,
  tracksOf: (playlist: string) => string[] | null,
): Result<string | null> {
  const active = activeDraft(ctx, draft);
  if (!active.ok) return active;
  const slot = activeSlot(ctx.view.schedules, local);
  const occurrence = slot ? `${slot.id}@${local.date}` : null;
  if (!slot || occurrence === active.value.slot) return ok(null);
  const tracks = tracksOf(slot.playlist);
  if (!tracks) return fail('not-found', 'the scheduled playlist is not in the library');
  const loaded = loadProgramme(ctx, draft, tracks);
  if (!loaded.ok) return loaded;
  if (slot.volume !== null) draft.regs['set:volume'] = { v: slot.volume, h: ctx.h };
  active.value.slot = occurrence;
  return ok(slot.id);
}
