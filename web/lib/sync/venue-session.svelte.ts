/**
 * The bridge from a venue's Y.Docs to Svelte `$state`: the one place where documents become rune
 * state. A session opens the venue and its library from IndexedDB (rendered at once), then links
 * them to the relay. Screens read `session.snapshot`, `session.library` and `session.sync`, and
 * write through `session.venue` / `session.libraryModel` (the model, never the Yjs types).
 */
import { Library, Venue, createVenue, randomId, venueFromRelay } from '@djamms/venue';
import type { LibrarySnapshot, VenueSnapshot } from '@djamms/venue';
import {
  credentialFor,
  credentialHint,
  saveCredential,
  type VenueCredential,
} from '../credentials';
import { missingMedia, restoreLibrary, type OpenedBackup } from '../backup';
import { venueZoneFromDevice } from '../local-time';
import { replaySideEffects } from '../pwa.svelte';
import { recordId, sendRecord } from '../records/send';
import { describeVenue, readDemoLibrary } from '../relay-api';
import type { LinkState } from './RelayLink';
import { correctFromRelay, deviceClock } from './clock';
import { SyncedDoc } from './SyncedDoc';
import { ActionLog } from './staff-actions';
import { acquireWriterSlot } from './writer-slot';

/** What the whole UI shows about syncing (DESIGN §5, issue 4). */
export type SyncPhase = 'saved-relay' | 'saved-device' | 'syncing' | 'offline' | 'error';

export interface SyncView {
  phase: SyncPhase;
  label: string;
  reason: string | null;
  readOnly: boolean;
  pending: number;
  lastSynced: number | null;
  transport: LinkState['transport'];
  /** How far this device's own clock is off when that is over a minute (VM25), else null. */
  clockOffBy: number | null;
}

const LABELS: Record<SyncPhase, string> = {
  'saved-relay': 'Saved to relay',
  'saved-device': 'Saved on this device',
  syncing: 'Syncing…',
  offline: 'Offline',
  error: 'Sync error',
};

/** Combines the venue's and the library's links into one state. */
export function syncView(
  links: (LinkState | null)[],
  online: boolean,
  clockOffBy: number | null = null,
): SyncView {
  const live = links.filter((l): l is LinkState => l !== null);
  const error = live.find((l) => l.error)?.error ?? null;
  const pending = live.reduce((n, l) => n + l.pending, 0);
  const connected = live.length > 0 && live.every((l) => l.connected);
  // a device an admin removed can change nothing any more: its screens say so (disabled controls)
  // rather than take taps that would never reach the venue
  const readOnly = (live[0]?.readOnly ?? false) || error === 'revoked';
  const phase: SyncPhase = error
    ? 'error'
    : connected && online
      ? pending > 0
        ? 'syncing'
        : 'saved-relay'
      : pending > 0
        ? 'saved-device'
        : live.some((l) => l.reconnects === 0 && !l.connected) && online
          ? 'syncing'
          : 'offline';
  const lastSynced = live.reduce<number | null>(
    (t, l) => (l.lastSynced && (!t || l.lastSynced < t) ? l.lastSynced : t),
    null,
  );
  return {
    phase,
    label: LABELS[phase],
    reason: error,
    readOnly,
    pending,
    lastSynced,
    transport: live[0]?.transport ?? 'none',
    clockOffBy,
  };
}

export class VenueSession {
  snapshot = $state.raw<VenueSnapshot>() as VenueSnapshot;
  library = $state.raw<LibrarySnapshot>() as LibrarySnapshot;
  venueLink = $state.raw<LinkState | null>(null);
  libraryLink = $state.raw<LinkState | null>(null);
  online = $state(navigator.onLine);
  /** Something is playing on this device (HTTP polling is faster then). */
  playing = $state(false);
  /** How far this device's clock is off, when over a minute (VM25). */
  clockOffBy = $state<number | null>(null);
  sync: SyncView = $derived(
    syncView([this.venueLink, this.libraryLink], this.online, this.clockOffBy),
  );

  readonly venue: Venue;
  readonly libraryModel: Library;
  /** The venue model itself (not its recording wrapper): the origin of this session's own writes. */
  private readonly ownOrigin: Venue;
  /** The library model itself: what the app writes on its own is not a staff action (RP33). */
  private readonly ownLibrary: Library;
  /** A refresh is queued: in this task (`now`, this device's writes) or a task of its own. */
  private refreshQueued: 'now' | 'soon' | null = null;
  private readonly ticker: ReturnType<typeof setInterval>;
  private readonly clockTimer: ReturnType<typeof setInterval>;
  /** Set by the bench and tests: when the last remote change reached this tab's state. */
  lastRemoteAt = 0;

  constructor(
    readonly credential: VenueCredential,
    readonly writer: string,
    readonly venueDoc: SyncedDoc,
    readonly libraryDoc: SyncedDoc,
  ) {
    const ports = {
      now: deviceClock.now,
      random: Math.random,
      correction: () => deviceClock.correction,
    };
    const role = credential.role === 'guest' ? 'viewer' : credential.role;
    const venue = new Venue(venueDoc.doc, { writer, device: credential.deviceId, role }, ports);
    const library = new Library(libraryDoc.doc, ports);
    this.ownOrigin = venue;
    this.ownLibrary = library;
    // Staff writes are recorded here, once, whichever screen makes them (RP33).
    if (role === 'admin' || role === 'staff') {
      const actions = new ActionLog(
        deviceClock.now,
        () => recordId('action'),
        (entry) => sendRecord(this.credential, entry),
      );
      ({ venue: this.venue, library: this.libraryModel } = actions.wrap(venue, library, this));
    } else {
      this.venue = venue;
      this.libraryModel = library;
    }
    // A venue written by an older DJAMMS is brought up to date as soon as a writer opens it (VM15).
    if (role !== 'viewer' && this.venue.meta()) this.venue.migrate();
    this.showClock();
    this.refresh();
    this.library = this.libraryModel.snapshot();
    venueDoc.doc.on('update', this.onUpdate);
    libraryDoc.doc.on('update', this.onLibraryUpdate);
    // Time moves the snapshot too (intents expire, positions advance): re-read every second.
    this.ticker = setInterval(() => this.refresh(true), 1000);
    this.clockTimer = setInterval(() => {
      if (this.venueLink?.connected) void this.correctClock();
    }, CLOCK_EVERY_MS);
    addEventListener('online', this.onNetwork);
    addEventListener('offline', this.onNetwork);
  }

  private onNetwork = () => {
    this.online = navigator.onLine;
  };

  private onUpdate = (_u: Uint8Array, origin: unknown) => {
    const remote = origin !== this.ownOrigin && origin !== null;
    if (remote) this.lastRemoteAt = performance.now();
    const when = remote ? 'soon' : 'now';
    if (this.refreshQueued === 'now' || this.refreshQueued === when) return;
    this.refreshQueued = when;
    later(remote, () => {
      if (this.refreshQueued === when) this.refresh();
    });
  };

  /** A library read is queued (see {@link later}). */
  private libraryQueued = false;

  private onLibraryUpdate = (_u: Uint8Array, origin: unknown) => {
    // The library model writes with no origin; the relay, the database and other tabs with theirs.
    if (origin === null) {
      this.library = this.libraryModel.snapshot();
      return;
    }
    if (this.libraryQueued) return;
    this.libraryQueued = true;
    later(true, () => {
      this.libraryQueued = false;
      this.library = this.libraryModel.snapshot();
    });
  };

  /** What the last snapshot showed, apart from its time (so a quiet second re-renders nothing). */
  private shown = '';

  /** Rebuilds the rune state from the documents (validated snapshots, never raw Yjs). */
  refresh(onlyIfChanged = false) {
    this.refreshQueued = null;
    const next = this.venue.snapshot();
    if (onlyIfChanged) {
      // Compared only on the timer, so a change from a write or a peer renders without this cost.
      this.shown ||= JSON.stringify({ ...this.snapshot, at: 0 });
      const shown = JSON.stringify({ ...next, at: 0 });
      if (shown === this.shown) return;
      this.shown = shown;
    } else {
      this.shown = '';
    }
    this.snapshot = next;
    const name = next.meta.name;
    const c = this.credential;
    if (name && name !== c.name && c.role !== 'guest' && c.token) {
      this.credential.name = name;
      void saveCredential($state.snapshot(this.credential));
    }
  }

  /**
   * Reads the relay's time and corrects this device's clock (VM25); when the correction moved,
   * what this writer stamped with the wrong clock is re-dated at once.
   */
  async correctClock() {
    try {
      const moved = await correctFromRelay(this.credential.relay);
      this.showClock();
      if (moved && !this.sync.readOnly) this.venue.settle();
    } catch {
      // The relay is away; the clock keeps its last correction.
    }
  }

  /**
   * Gives a venue this writes the genesis of the zone of this device, the schedule's (VM32): the
   * model takes it from an admin only (rights.ts), and a refusal writes and records nothing. The
   * app does it, not the admin, so the Log does not show it as theirs ("Set the time zone to UTC"
   * headed a new venue's activity, found from outside).
   */
  takeDeviceZone() {
    const zone = venueZoneFromDevice();
    if (zone) this.ownOrigin.setSetting('timeZone', zone);
  }

  /**
   * A venue created at the relay alone (its API) has no genesis: once synced with the relay and
   * still without one, a writing device writes it from the relay's description (VM18).
   */
  async ensureGenesis() {
    if (this.venue.meta() || this.sync.readOnly) return;
    const c = this.credential;
    try {
      const info = await describeVenue(c.relay, c.token, c.venueId);
      if (this.venue.meta()) return;
      createVenue(this.venueDoc.doc, venueFromRelay(info));
      this.takeDeviceZone();
      // A library shared with other venues may not have arrived yet: only one known empty gets
      // the demo music.
      if (this.libraryLink?.lastSynced) await this.addDemoMusic();
    } catch {
      // The relay is away: the next connection tries again.
    }
  }

  /**
   * A new venue plays at once: with an empty library, an admin device puts the relay's demo music
   * in it and, with an empty programme, in the programme too. The app does it, not the admin: the
   * Log does not list it as theirs.
   */
  async addDemoMusic() {
    if (this.credential.role !== 'admin' || this.library.tracks.length > 0) return;
    const { tracks } = await readDemoLibrary(this.credential.relay);
    for (const t of tracks) this.ownLibrary.putTrack({ ...t, explicit: false });
    if (this.venue.snapshot().programme.entries.length === 0) {
      this.ownOrigin.loadPlaylist(tracks.map((t) => t.id));
    }
    this.refresh();
  }

  private showClock() {
    const off = deviceClock.correction;
    this.clockOffBy = deviceClock.wrong && off !== null ? off : null;
  }

  /** Re-exchanges state with the relay now. */
  syncNow() {
    this.venueDoc.link?.syncNow();
    this.libraryDoc.link?.syncNow();
  }

  destroy() {
    clearInterval(this.ticker);
    clearInterval(this.clockTimer);
    removeEventListener('online', this.onNetwork);
    removeEventListener('offline', this.onNetwork);
    this.venueDoc.doc.off('update', this.onUpdate);
    this.libraryDoc.doc.off('update', this.onLibraryUpdate);
    this.venue.destroy();
    this.venueDoc.destroy();
    this.libraryDoc.destroy();
  }
}

/** Reads queued by {@link later}, run in order, one a task. */
const reads: (() => void)[] = [];
let readChannel: MessageChannel | null = null;

/**
 * Runs `read` after the current task: this device's own writes (`remote` false) show in the same
 * task, as a microtask; what arrives from elsewhere (the relay, the local database, another tab) is
 * read and drawn in a task of its own, so that applying a large update and drawing it are shorter
 * tasks, not one long one that holds a slow phone's screen. In order: a link's state that says
 * "synced" is read after the documents it synced. A message to itself, not a timer: a hidden
 * tab's timers are throttled to once a minute, and a player in one must still follow the venue.
 */
function later(remote: boolean, read: () => void) {
  if (!remote) return queueMicrotask(read);
  if (!readChannel) {
    readChannel = new MessageChannel();
    readChannel.port1.onmessage = () => reads.shift()?.();
  }
  reads.push(read);
  readChannel.port2.postMessage(null);
}

/** How often the clock is corrected again while the relay is reachable (RP23). */
const CLOCK_EVERY_MS = 10 * 60_000;

const NO_LINK: LinkState = {
  transport: 'none',
  connected: false,
  error: null,
  readOnly: false,
  pending: 0,
  lastSynced: null,
  reconnects: 0,
  ackLatencyMs: null,
  nextAttemptAt: null,
};

const sessions = new Map<string, Promise<VenueSession>>();

/** This device is not paired with that venue. */
export class NotPairedError extends Error {}

/**
 * Opens (once per tab) the session of a venue this device was paired with. Resolves as soon as the
 * local state is loaded; the relay link starts right after.
 */
export function openVenueSession(venueId: string): Promise<VenueSession> {
  return once(venueId, async () => {
    performance.mark('djamms:open');
    // Local state loads while the credential is read (the venue's room is its id); a hint in
    // localStorage lets the screen render before IndexedDB hands over the token.
    const venueDoc = new SyncedDoc(venueId);
    const stored = credentialFor(venueId);
    const hint = credentialHint(venueId);
    const credential = hint ? { ...hint, token: '' } : await stored;
    performance.mark('djamms:credential');
    if (!credential) {
      venueDoc.destroy();
      throw new NotPairedError(`this device is not paired with venue ${venueId}`);
    }
    return start(
      credential,
      venueDoc,
      stored.then((c) => c?.token ?? null),
    );
  });
}

/** Opens a guest's read-only session (kept apart from the device's own credential). */
export function openGuestSession(credential: VenueCredential): Promise<VenueSession> {
  return once(`guest:${credential.venueId}`, () =>
    start(credential, new SyncedDoc(credential.venueId), Promise.resolve(credential.token)),
  );
}

function once(key: string, open: () => Promise<VenueSession>): Promise<VenueSession> {
  let opening = sessions.get(key);
  if (!opening) {
    opening = open();
    sessions.set(key, opening);
    opening.catch(() => sessions.delete(key));
  }
  return opening;
}

async function start(
  credential: VenueCredential,
  venueDoc: SyncedDoc,
  token: Promise<string | null>,
): Promise<VenueSession> {
  const venueId = credential.venueId;
  const readOnly = credential.role === 'viewer' || credential.role === 'guest';
  const box: { session?: VenueSession } = {};
  const linkFor = (which: 'venueLink' | 'libraryLink') => (state: LinkState) =>
    // After the documents' reads the same update queued (a screen waiting for "synced" then
    // finds what was synced).
    later(true, () => {
      const was = box.session?.[which]?.connected ?? false;
      if (box.session) box.session[which] = state;
      // The relay is back: HTTP side effects the service worker queued can go now (the browser's
      // own `online` or `sync` never fires when only the relay was away), and its time corrects
      // ours.
      if (which === 'venueLink' && state.connected && !was) {
        replaySideEffects();
        void box.session?.correctClock();
        void box.session?.ensureGenesis();
      }
    });
  const libraryDoc = new SyncedDoc(credential.libraryId);
  const [writer] = await Promise.all([
    acquireWriterSlot(venueId, credential.deviceId),
    venueDoc.whenLoaded,
    libraryDoc.whenLoaded,
  ]);
  performance.mark('djamms:local-loaded');
  const session = new VenueSession(credential, writer, venueDoc, libraryDoc);
  box.session = session;
  void token.then((secret) => {
    if (!secret) {
      session.venueLink = { ...NO_LINK, error: 'not-paired' };
      return;
    }
    session.credential.token = secret;
    const common = { relay: credential.relay, token: secret, busy: () => session.playing };
    void venueDoc.connect({ ...common, readOnly, onLink: linkFor('venueLink') });
    void libraryDoc.connect({
      ...common,
      readOnly: readOnly || credential.role !== 'admin',
      onLink: linkFor('libraryLink'),
    });
  });
  return session;
}

/**
 * Opens a venue the relay has just created (its `credential`) and writes its genesis on this
 * device, the one that created it (venue SPEC VM18). Answers whether it wrote it (false when the
 * device had it already).
 */
async function openNewVenue(
  credential: VenueCredential,
): Promise<{ session: VenueSession; fresh: boolean }> {
  const session = await openVenueSession(credential.venueId);
  const fresh = !session.venue.meta();
  if (fresh) {
    createVenue(session.venueDoc.doc, {
      venueId: credential.venueId,
      libraryId: credential.libraryId,
      name: credential.name,
      created: Date.now(),
      epoch: randomId(Math.random, 'e'),
    });
    session.takeDeviceZone();
  }
  return { session, fresh };
}

/** Writes a new venue's genesis on the device that created it, with the demo music (VM18). */
export async function writeGenesis(credential: VenueCredential): Promise<VenueSession> {
  const { session, fresh } = await openNewVenue(credential);
  if (fresh) {
    try {
      await session.addDemoMusic();
    } catch {
      // Without the relay's demo music the venue starts empty; the library tab adds music.
    }
  }
  session.refresh();
  return session;
}

/**
 * Makes a venue the relay has just created (its `credential`) a copy of a backup: its genesis, then
 * the backup's venue and library (venue SPEC VM36). Answers the content addresses of the files the
 * backup's tracks refer to that the relay does not hold.
 */
export async function restoreAsNewVenue(
  credential: VenueCredential,
  backup: OpenedBackup,
): Promise<string[]> {
  const { session } = await openNewVenue(credential);
  const restored = session.venue.restore(backup.venueDoc, backup.file.created);
  if (!restored.ok) throw new Error(restored.message);
  restoreLibrary(session.libraryModel, backup);
  session.refresh();
  return missingMedia(credential.relay, backup.file.media);
}
