/**
 * The player's schedule (venue SPEC VM32, VM33): from its own copy of the venue and the library,
 * with no network, in the venue's time zone, it applies the slot playing now at each slot boundary
 * (a timer to the next one), when the venue or the library changes, and when the screen wakes. The model applies each slot
 * occurrence once, so a reload inside a slot, or a bartender's change, is not undone. While the
 * clock is doubtful, it applies nothing, says so on the TV, and beats at once so the admin shows it.
 */
import { minutesToNextChange, slotOccurrence, type ClockDoubt } from '@djamms/venue';
import { knowsTimeZone, localTimeOf } from '../local-time';
import { words } from '../strings';
import { deviceClock } from '../sync/clock';
import type { VenueSession } from '../sync/venue-session.svelte';

/** Re-checks at least this often: a clock set or corrected, a daylight-saving change, a sleep. */
const RECHECK_MS = 5 * 60_000;
/** A boundary is checked just after it, so the minute has turned. */
const AFTER_BOUNDARY_MS = 1_000;

export class ScheduleRunner {
  /** Why the clock pauses the schedule, or null (VM33). */
  doubt = $state.raw<ClockDoubt | null>(null);
  /** Why the slot playing now could not be applied, in words, or ''. */
  problem = $state('');
  /** That this player does not know the venue's time zone, in words, or '' (and '' with no slots). */
  zoneProblem = $state('');
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** The occurrence this screen saw applied: the model remembers it too; this only saves work. */
  private applied = '';

  constructor(private readonly session: VenueSession) {
    document.addEventListener('visibilitychange', this.onWake);
    addEventListener('pageshow', this.onWake);
  }

  /** Applies what the schedule says now, if this player is the one playing, and waits for the next change. */
  check() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const { venue, snapshot, writer } = this.session;
    if (snapshot.activePlayer !== writer) return;
    const doubt = venue.clockDoubt();
    this.doubt = doubt;
    // The admin learns of the doubt from this player's heartbeat: beat now when it changed.
    const told = snapshot.players.find((p) => p.writer === writer)?.clock ?? null;
    if (told?.why !== doubt?.why) venue.heartbeat();
    const now = deviceClock.now();
    // the venue's time zone, not this TV's (a stick set to the wrong zone is common)
    const zone = snapshot.settings.timeZone;
    const local = localTimeOf(now, zone);
    const due = slotOccurrence(snapshot.schedules, local);
    if (doubt || !due) this.problem = '';
    else if (due.id !== this.applied) this.apply(local, due.id);
    this.zoneProblem =
      snapshot.schedules.length && !knowsTimeZone(zone)
        ? words.schedule.playerZoneUnknown(zone)
        : '';
    const wait = minutesToNextChange(snapshot.schedules, local) * 60_000 - (now % 60_000);
    this.timer = setTimeout(() => this.check(), Math.min(wait + AFTER_BOUNDARY_MS, RECHECK_MS));
  }

  private apply(local: ReturnType<typeof localTimeOf>, occurrence: string) {
    const playlists = this.session.library.playlists;
    const r = this.session.venue.applySchedule(
      local,
      (id) => playlists.find((p) => p.id === id)?.tracks ?? null,
    );
    if (r.ok) this.applied = occurrence;
    this.problem = r.ok
      ? ''
      : r.error === 'not-found'
        ? words.schedule.playlistGone
        : r.error === 'empty'
          ? words.schedule.playlistEmpty
          : r.message;
  }

  private onWake = () => {
    if (document.visibilityState === 'visible') this.check();
  };

  destroy() {
    if (this.timer) clearTimeout(this.timer);
    document.removeEventListener('visibilitychange', this.onWake);
    removeEventListener('pageshow', this.onWake);
  }
}
