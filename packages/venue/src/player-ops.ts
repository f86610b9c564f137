/**
 * Player operations. Playback state has one writer, the active player (VM1, VM3); advancing names the
 * entry it finishes (VM4); intents are applied at most once, only while fresh and on target (VM2); a
 * stop by a person holds until someone presses play (VM6).
 */
import type { Draft } from './Draft';
import { fact } from './ledger';
import { leaseHolder } from './merge';
import type { OpContext } from './op-context';
import { fail, ok, type Result } from './result';
import {
  LIMITS,
  TIMING,
  type IntentFact,
  type JournalFact,
  type Ledger,
  type OutcomeFact,
  type PlaybackFact,
} from './schema';
import { guestRequest, loadProgramme, vote, type TrackInfo } from './queue-ops';
import { clockDoubt, recentOccurrences, slotOccurrence, type LocalTime } from './schedule';
import { cursorView, upNext, type EntryView } from './snapshot';

/**
 * Records that this player is alive (the lease lives while its holder beats, VM3), and whether its
 * clock is too doubtful to run the schedule, so the admin shows it (VM33).
 */
export function heartbeat(ctx: OpContext, draft: Draft): Result<void> {
  const doubt = clockDoubt(ctx.correction, ctx.facts.revealAt, ctx.now);
  draft.put('beat', doubt ? { k: 'beat', at: ctx.now, clock: doubt } : { k: 'beat', at: ctx.now });
  return ok(undefined);
}

/**
 * Claims the active-player lease. Refused while another player holds a live lease unless `force`
 * (a person chose this device). The new holder continues exactly where the last one was.
 */
export function claimLease(ctx: OpContext, draft: Draft, force: boolean): Result<number> {
  const holder = ctx.facts.active;
  const lease = draft.get('lease');
  if (holder?.w === ctx.identity.writer && lease) {
    // Back from a handover (a reload): beating again keeps the venue here.
    if (draft.get('beat')?.off) draft.put('beat', { k: 'beat', at: ctx.now });
    return ok(lease.epoch);
  }
  // A holder that handed over may be claimed from shortly after (a reload comes back sooner).
  const quiet = holder?.beat ? ctx.now - holder.beat.at : Infinity;
  const wait = holder?.beat?.off ? TIMING.handover : TIMING.leaseTtl;
  if (holder && !force && quiet < wait) {
    return fail('lease-held', `${holder.me.name || 'another player'} is playing`);
  }
  const epoch = Math.max(0, ...ctx.facts.players.map((p) => p.lease?.epoch ?? 0)) + 1;
  // Continue from the last holder, even one whose device was revoked.
  const last = leaseHolder(ctx.facts.players);
  if (last && last.w !== ctx.identity.writer) {
    for (const name of ['play', 'cursor', 'stops', 'slot'] as const) {
      const known = last[name];
      draft.put(name, known && { ...known });
    }
    for (const seq of [...draft.history.entries()].map(([seq]) => seq)) draft.history.delete(seq);
    for (const [seq, h] of last.history) draft.history.set(seq, { ...h });
  }
  // Every journal entry up to any player's cursor was applied by some player: go on from the
  // furthest, or entries a player applied while cut off from the holder would be applied twice.
  const journal = furthestJournal(ctx.facts.players, draft.get('journal'));
  draft.put('journal', journal && { ...journal });
  // Played requests and decided intents are unions: nothing any player did is forgotten (VM2, VM4).
  for (const [id, played] of ctx.facts.played) {
    if (!draft.played.has(id)) draft.played.set(id, { ...played });
  }
  for (const [id, o] of ctx.facts.outcomes) {
    if (!draft.outcomes.has(id)) draft.outcomes.set(id, { ...o });
  }
  for (const [id, o] of ctx.facts.guestOutcomes) {
    if (!draft.guest.has(id)) draft.guest.set(id, { ...o });
  }
  draft.put('beat', { k: 'beat', at: ctx.now });
  draft.put('lease', { k: 'lease', epoch, at: ctx.now });
  return ok(epoch);
}

/** The journal cursor furthest along among players (cursors are journal positions). */
function furthestJournal(players: Ledger[], mine: JournalFact | undefined) {
  let furthest = mine;
  for (const p of players) {
    const c = p.journal;
    if (c && (!furthest || compareCursors(c.c, furthest.c) > 0)) furthest = c;
  }
  return furthest;
}

/** Orders journal cursors: by number when both are, else as text. */
export function compareCursors(a: string, b: string): number {
  const x = Number(a);
  const y = Number(b);
  if (a !== '' && b !== '' && Number.isFinite(x) && Number.isFinite(y)) return x - y;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Hands the lease over (the player's screen is closing): its heartbeat says so, and another player may
 * claim a few seconds later and goes on from this one's playback (VM3).
 */
export function releaseLease(ctx: OpContext, draft: Draft): Result<void> {
  // The lease stays: whoever claims next goes on from this player's playback.
  draft.put('beat', { k: 'beat', at: ctx.now, off: true });
  return ok(undefined);
}

function mustBeActive(ctx: OpContext, draft: Draft): Result<void> {
  if (ctx.facts.active?.w !== ctx.identity.writer || !draft.get('lease')) {
    return fail('not-active', 'this device does not hold the active-player lease');
  }
  return ok(undefined);
}

function currentPosition(playback: PlaybackFact, now: number): number {
  return playback.pos + (playback.state === 'playing' ? Math.max(0, now - playback.at) : 0);
}

/** The playback with a new state, measured now. */
function withState(
  playback: PlaybackFact,
  state: PlaybackFact['state'],
  now: number,
  extra: Partial<PlaybackFact> = {},
): PlaybackFact {
  const { why: _, ...rest } = playback;
  return { ...rest, state, pos: currentPosition(playback, now), at: now, ...extra };
}

/** Starts `entry` from the top. */
function start(ctx: OpContext, draft: Draft, entry: EntryView) {
  const now = ctx.now;
  draft.put('play', {
    k: 'play',
    entry: entry.id,
    track: entry.track,
    lane: entry.lane,
    state: 'playing',
    pos: 0,
    at: now,
    // A request leaves the lane as it starts: keep who asked for it for the screens.
    ...(entry.guest !== undefined ? { guest: entry.guest } : {}),
    ...(entry.kiosk ? { kiosk: true as const } : {}),
  });
  if (entry.lane === 'priority') draft.played.set(entry.id, fact.played(entry.id, now));
  else {
    const prog = ctx.view.programme.id;
    draft.put('cursor', { k: 'cursor', entry: entry.id, key: entry.key, prog });
  }
  const seq = draft.pastPlays().reduce((max, [s]) => Math.max(max, s), -1) + 1;
  draft.history.set(
    seq.toString(36),
    fact.history(seq, { entry: entry.id, track: entry.track, lane: entry.lane, at: now }),
  );
}

/** Starts whatever is next, or stops at the end of the queue; returns the entry playing now. */
function startNext(ctx: OpContext, draft: Draft): string | null {
  const lane = ctx.view.lane.filter((e) => !draft.played.has(e.id));
  const last = draft.get('cursor');
  const cursor = last ? cursorView(last) : null;
  const next = upNext({ ...ctx.view, lane, cursor, nowPlaying: null }, 1)[0];
  const playback = draft.get('play');
  if (next) start(ctx, draft, next);
  else if (playback) {
    draft.put('play', { ...withState(playback, 'stopped', ctx.now), pos: 0, why: 'end' });
  }
  return next?.id ?? null;
}

/** True when a person stopped playback: only a play intent starts it again (VM6). */
const stoppedByStaff = (playback: PlaybackFact | undefined) =>
  playback?.state === 'stopped' && playback.why !== 'end';

/**
 * Finishes `finishing` and starts the next entry. A second advance of the same entry (the track
 * ended while a skip for it was in flight) is refused as stale: nothing is skipped twice (VM4).
 * While a person's stop holds, nothing advances: a track that ends as a stop is pressed stays
 * stopped (VM6).
 */
export function advance(
  ctx: OpContext,
  draft: Draft,
  finishing: string | null,
): Result<string | null> {
  const active = mustBeActive(ctx, draft);
  if (!active.ok) return active;
  const playback = draft.get('play');
  if (stoppedByStaff(playback)) {
    return fail('stopped', 'playback was stopped by staff: it starts again with play');
  }
  if ((playback?.entry ?? null) !== finishing) {
    return fail('stale', 'that entry is no longer the one playing');
  }
  // It played to its end: whatever failed with its track before is over.
  if (playback) draft.failed.delete(playback.track);
  return ok(startNext(ctx, draft));
}

/**
 * Reports that the track of `entry` could not be played (after a retry) and why, and moves on to the
 * next entry (VM27). Admins see the report; the track is marked until it plays again.
 */
export function reportFailure(
  ctx: OpContext,
  draft: Draft,
  entry: string,
  why: string,
): Result<string | null> {
  const active = mustBeActive(ctx, draft);
  if (!active.ok) return active;
  const playback = draft.get('play');
  if (playback?.entry !== entry) return fail('stale', 'that entry is no longer the one playing');
  const reason = why.slice(0, LIMITS.text);
  draft.failed.set(
    playback.track,
    fact.failure(playback.track, { entry, why: reason, at: ctx.now }),
  );
  return ok(startNext(ctx, draft));
}

/** Reports playback state and position as measured by the player's media element. */
export function reportState(
  ctx: OpContext,
  draft: Draft,
  state: 'playing' | 'paused' | 'buffering',
  positionMs: number,
): Result<void> {
  const active = mustBeActive(ctx, draft);
  if (!active.ok) return active;
  const playback = draft.get('play');
  if (!playback) return fail('not-found', 'nothing is playing');
  if (playback.state === 'stopped') {
    return fail('stopped', 'playback is stopped: it starts again with play');
  }
  if (!(positionMs >= 0 && positionMs < 1e9)) return fail('invalid', 'position out of range');
  draft.put('play', { ...withState(playback, state, ctx.now), pos: Math.round(positionMs) });
  return ok(undefined);
}

type Decision = { s: OutcomeFact['s']; why?: string };

/** Intents that name the entry they act on; a safety stop never does. */
const TARGETED: readonly IntentFact['kind'][] = ['skip', 'seek', 'previous', 'pause'];

function decide(ctx: OpContext, draft: Draft, intent: IntentFact): Decision {
  if (Math.abs(ctx.now - intent.at) > TIMING.intentTtl) return { s: 'expired' };
  const playback = draft.get('play');
  if (TARGETED.includes(intent.kind) && intent.entry !== undefined) {
    if (intent.entry !== playback?.entry) return { s: 'rejected', why: 'target-changed' };
  }
  const stops = draft.get('stops')?.n ?? 0;
  switch (intent.kind) {
    case 'emergency-stop':
      draft.put('stops', { k: 'stops', n: stops + 1 });
      if (playback)
        draft.put('play', withState(playback, 'stopped', ctx.now, { why: 'emergency' }));
      return { s: 'applied' };
    case 'fade-out-stop':
    case 'pause': {
      if (!playback || playback.state === 'stopped') return { s: 'rejected', why: 'not-playing' };
      draft.put(
        'play',
        intent.kind === 'pause'
          ? withState(playback, 'paused', ctx.now)
          : withState(playback, 'stopped', ctx.now, { why: 'fade-out' }),
      );
      return { s: 'applied' };
    }
    case 'play':
      if (intent.stop < stops) return { s: 'rejected', why: 'emergency-stop' };
      if (!playback || playback.why === 'end') startNext(ctx, draft);
      else draft.put('play', withState(playback, 'playing', ctx.now));
      return draft.get('play')?.state === 'playing'
        ? { s: 'applied' }
        : { s: 'rejected', why: 'nothing-queued' };
    case 'skip':
      if (!playback) return { s: 'rejected', why: 'not-playing' };
      startNext(ctx, draft);
      return { s: 'applied' };
    case 'seek':
      if (!playback) return { s: 'rejected', why: 'not-playing' };
      draft.put('play', { ...withState(playback, playback.state, ctx.now), pos: intent.pos ?? 0 });
      return { s: 'applied' };
    case 'previous':
      return previous(ctx, draft);
  }
}

/** Restarts the current track, or goes back one play when near its start. */
function previous(ctx: OpContext, draft: Draft): Decision {
  const playback = draft.get('play');
  if (!playback) return { s: 'rejected', why: 'not-playing' };
  const before = draft.pastPlays().at(-2)?.[1];
  const entry = before && ctx.view.programme.entries.find((e) => e.id === before.entry);
  if (currentPosition(playback, ctx.now) > 5_000 || !entry) {
    draft.put('play', { ...withState(playback, 'playing', ctx.now), pos: 0 });
  } else {
    start(ctx, draft, entry);
  }
  return { s: 'applied' };
}

/**
 * Applies every pending intent in stamp order: at most once, only while fresh, only on target, and
 * an emergency stop beats any play that had not seen it (VM2, VM6). Returns the outcomes.
 */
export function applyIntents(ctx: OpContext, draft: Draft): Result<Record<string, OutcomeFact>> {
  const active = mustBeActive(ctx, draft);
  if (!active.ok) return active;
  const decided: Record<string, OutcomeFact> = {};
  const pending = ctx.facts.intents
    // Long-expired intents are ignored, not decided: their outcome may already have been tidied away.
    .filter((i) => ctx.now - i.at < TIMING.outcomeTtl - TIMING.intentTtl)
    .filter((i) => !draft.outcomes.has(i.id) && !ctx.facts.outcomes.has(i.id))
    .sort((a, b) => (a.h < b.h ? -1 : a.h > b.h ? 1 : 0));
  for (const intent of pending) {
    const decision = decide(ctx, draft, intent);
    const outcome = fact.outcome(intent.id, {
      s: decision.s,
      kind: intent.kind,
      by: intent.by,
      at: ctx.now,
      ...(decision.why ? { why: decision.why } : {}),
    });
    draft.outcomes.set(intent.id, outcome);
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
 * request is keyed by its journal entry id, so a batch applied twice counts once, and each entry gets
 * an outcome the guest can read: accepted, or refused with the reason. Returns the refusals.
 */
export function applyGuestEntries(
  ctx: OpContext,
  draft: Draft,
  entries: GuestEntry[],
  cursor: string,
): Result<Record<string, string>> {
  const active = mustBeActive(ctx, draft);
  if (!active.ok) return active;
  const refused: Record<string, string> = {};
  let view = ctx.view;
  for (const entry of entries) {
    if (draft.guest.has(entry.id) || ctx.facts.guestOutcomes.has(entry.id)) continue;
    const step = { ...ctx, view };
    const result =
      entry.kind === 'request'
        ? guestRequest(step, draft, entry.guest, entry.track, entry.id)
        : vote(step, draft, entry.entry, entry.guest);
    if (!result.ok) refused[entry.id] = result.error;
    else if (entry.kind === 'request') view = withRequest(view, draft, entry.id);
    draft.guest.set(
      entry.id,
      fact.guestOutcome(
        entry.id,
        result.ok
          ? { s: 'accepted', at: ctx.now }
          : { s: 'refused', why: result.error, at: ctx.now },
      ),
    );
  }
  draft.put('journal', { k: 'journal', c: cursor });
  return ok(refused);
}

/** The view with a just-accepted request appended, so limits hold within one batch. */
function withRequest(view: OpContext['view'], draft: Draft, id: string) {
  const add = draft.adds.get(id);
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
 * Follows the schedule (VM32): when a slot occurrence starts that this player has not applied, its
 * playlist becomes the programme and its volume (if it has one) the volume, once; until the next one
 * starts, people's changes stand. `tracksOf` resolves a playlist from the library (null when it is
 * not there). Refused while the player's clock is too doubtful to tell which slot plays (VM33).
 * Returns the slot applied, or null when there was nothing new to do.
 */
export function applySchedule(
  ctx: OpContext,
  draft: Draft,
  local: LocalTime,
  tracksOf: (playlist: string) => string[] | null,
): Result<string | null> {
  const active = mustBeActive(ctx, draft);
  if (!active.ok) return active;
  if (clockDoubt(ctx.correction, ctx.facts.revealAt, ctx.now)) {
    return fail('clock-wrong', "this player's clock is wrong: the schedule is paused");
  }
  const due = slotOccurrence(ctx.view.schedules, local);
  const last = draft.get('slot');
  const applied = last ? [...(last.seen ?? []), last.occ] : [];
  if (!due || applied.includes(due.id)) return ok(null);
  const tracks = tracksOf(due.slot.playlist);
  if (!tracks) return fail('not-found', 'the scheduled playlist is not in the library');
  if (!tracks.length) return fail('empty', 'the scheduled playlist has no tracks');
  const loaded = loadProgramme(ctx, draft, tracks);
  if (!loaded.ok) return loaded;
  if (due.slot.volume !== null) draft.setRegister('set:volume', due.slot.volume, ctx.h);
  // The new programme starts from its first entry once what plays now finishes (VM13: its new id
  // voids the cursor; this clears it for readers from before cursors named their programme).
  draft.put('cursor', undefined);
  const seen = recentOccurrences(applied, local).slice(-15);
  draft.put('slot', seen.length ? { k: 'slot', occ: due.id, seen } : { k: 'slot', occ: due.id });
  return ok(due.slot.id);
}
