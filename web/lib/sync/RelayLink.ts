/**
 * One document's link to the relay: a stock y-websocket provider (token and `ack=1` in the URL),
 * driven with jittered exponential backoff (no reconnect storm after a relay restart), reconnecting
 * at once on `online` and when the tab becomes visible, reading the relay's `saved` acknowledgements
 * (RP8) to tell "saved on this device" from "saved to the relay", and falling back to HTTP sync
 * (RP20) when WebSockets keep failing.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { CloseCode, MessageType, SyncMessageType } from '@djamms/protocol';

/** The origin of updates applied from an HTTP sync answer. */
export const HTTP_ORIGIN = Symbol('http');

/** Why syncing stopped, by close code (relay/PROTOCOL.md "Close codes"). */
const CLOSE_REASONS: Record<number, string> = {
  [CloseCode.unauthorized]: 'unauthorized',
  [CloseCode.revoked]: 'revoked',
  [CloseCode.forbidden]: 'forbidden',
  [CloseCode.notFound]: 'venue-gone',
  [CloseCode.badRequest]: 'bad-request',
  [CloseCode.tooBig]: 'too-big',
};

/** Failed WebSocket attempts in a row before HTTP sync takes over. */
const WS_FAILURES_FOR_HTTP = 4;
const BACKOFF_BASE_MS = 400;
const BACKOFF_CAP_MS = 30_000;

export interface LinkState {
  transport: 'websocket' | 'http' | 'none';
  /** The relay answered (socket synced, or the last HTTP poll succeeded). */
  connected: boolean;
  /** A terminal refusal (unauthorized, revoked, venue-gone…), or null. */
  error: string | null;
  readOnly: boolean;
  /** Changes held here that the relay has not acknowledged as stored. */
  pending: number;
  lastSynced: number | null;
  reconnects: number;
  /** Local change to relay acknowledgement, last measured. */
  ackLatencyMs: number | null;
  nextAttemptAt: number | null;
}

export interface RelayLinkOptions {
  relay: string;
  room: string;
  token: string;
  doc: Y.Doc;
  readOnly: boolean;
  /** The relay's state vector as last acknowledged (persisted by the caller), and when. */
  savedVector: Uint8Array | null;
  lastSynced: number | null;
  onSavedVector(sv: Uint8Array, at: number): void;
  /** True while something plays: HTTP polling is faster then. */
  busy(): boolean;
  onChange(state: LinkState): void;
}

/** Counts clock units the relay's vector lacks: roughly, changes not yet stored there. */
export function pendingAgainst(doc: Y.Doc, saved: Map<number, number>): number {
  let n = 0;
  for (const [client, clock] of Y.decodeStateVector(Y.encodeStateVector(doc))) {
    n += Math.max(0, clock - (saved.get(client) ?? 0));
  }
  return n;
}

export class RelayLink {
  readonly provider: WebsocketProvider;
  private saved: Map<number, number>;
  private attempts = 0;
  private wsFailures = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private httpTimer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  private lastLocalAt = 0;
  readonly state: LinkState;

  constructor(private readonly opts: RelayLinkOptions) {
    this.saved = opts.savedVector ? Y.decodeStateVector(opts.savedVector) : new Map();
    this.state = {
      transport: 'none',
      connected: false,
      error: null,
      readOnly: opts.readOnly,
      pending: opts.readOnly ? 0 : pendingAgainst(opts.doc, this.saved),
      lastSynced: opts.lastSynced,
      reconnects: 0,
      ackLatencyMs: null,
      nextAttemptAt: null,
    };
    const wsOrigin = opts.relay.replace(/^http/, 'ws');
    this.provider = new WebsocketProvider(`${wsOrigin}/sync`, opts.room, opts.doc, {
      connect: false,
      params: { token: opts.token, ack: '1' },
      disableBc: true,
      maxBackoffTime: BACKOFF_CAP_MS,
    });
    this.installHandlers();
    this.provider.on('status', ({ status }) => {
      if (status === 'connected') {
        this.attempts = 0;
        this.wsFailures = 0;
        this.stopHttp();
        this.set({ transport: 'websocket' });
      }
    });
    this.provider.on('sync', (synced) => {
      if (synced) this.set({ connected: true, lastSynced: Date.now(), error: null });
    });
    this.provider.on('connection-close', (event) => this.onClose(event));
    opts.doc.on('update', this.onUpdate);
    addEventListener('online', this.reconnectNow);
    document.addEventListener('visibilitychange', this.onVisible);
    this.provider.connect();
  }

  private set(patch: Partial<LinkState>) {
    Object.assign(this.state, patch);
    this.opts.onChange({ ...this.state });
  }

  private installHandlers() {
    const handlers = this.provider.messageHandlers;
    const sync = handlers[MessageType.sync]!;
    // Peek at the relay's step 1: its state vector is what it has stored (it answers only once
    // the room has loaded from disk), so it tells us what is still pending here.
    handlers[MessageType.sync] = (enc, dec, provider, emitSynced, type) => {
      const peek = decoding.clone(dec);
      if (decoding.readVarUint(peek) === SyncMessageType.step1) {
        this.acknowledge(decoding.readVarUint8Array(peek));
      }
      sync(enc, dec, provider, emitSynced, type);
    };
    handlers[MessageType.auth] = (_enc, dec) => {
      decoding.readVarUint(dec);
      const reason = decoding.readVarString(dec);
      if (reason === 'read-only') this.set({ readOnly: true, pending: 0 });
      else this.set({ error: reason });
    };
    handlers[MessageType.saved] = (_enc, dec) => {
      decoding.readVarUint(dec); // roomSeq
      decoding.readVarUint(dec); // saved from this socket
      this.acknowledge(decoding.readVarUint8Array(dec));
    };
  }

  private acknowledge(sv: Uint8Array) {
    const relay = Y.decodeStateVector(sv);
    for (const [client, clock] of relay) {
      if (clock > (this.saved.get(client) ?? 0)) this.saved.set(client, clock);
    }
    const pending = this.state.readOnly ? 0 : pendingAgainst(this.opts.doc, this.saved);
    const patch: Partial<LinkState> = { pending, lastSynced: Date.now() };
    if (pending === 0 && this.lastLocalAt) {
      patch.ackLatencyMs = performance.now() - this.lastLocalAt;
      this.lastLocalAt = 0;
    }
    this.set(patch);
    this.opts.onSavedVector(encodeVector(this.saved), patch.lastSynced!);
  }

  private onUpdate = (u: Uint8Array, origin: unknown) => {
    if (this.state.readOnly) return;
    if (origin === this.provider || origin === HTTP_ORIGIN) {
      // What came from the relay is on the relay (and stays counted so after a reload: other
      // devices' changes are never this device's pending ones).
      for (const [client, clock] of Y.parseUpdateMeta(u).to) {
        if (clock > (this.saved.get(client) ?? 0)) this.saved.set(client, clock);
      }
      const at = Date.now();
      this.state.lastSynced = at;
      this.opts.onSavedVector(encodeVector(this.saved), at);
    } else {
      this.lastLocalAt ||= performance.now();
    }
    const pending = pendingAgainst(this.opts.doc, this.saved);
    if (pending !== this.state.pending) this.set({ pending });
  };

  /** Per client: local clock and the relay's acknowledged clock, where they differ (diagnostics). */
  unsaved(): Record<number, [number, number]> {
    const out: Record<number, [number, number]> = {};
    for (const [client, clock] of Y.decodeStateVector(Y.encodeStateVector(this.opts.doc))) {
      const saved = this.saved.get(client) ?? 0;
      if (clock > saved) out[client] = [clock, saved];
    }
    return out;
  }

  private onClose(event: CloseEvent | null) {
    if (this.stopped) return;
    const provider = this.provider;
    // While HTTP sync works the document is still connected: a refused socket changes nothing.
    if (this.state.transport !== 'http') this.set({ connected: false });
    const reason = event ? CLOSE_REASONS[event.code] : undefined;
    if (event && event.code >= 4400 && event.code < 4500) {
      this.set({ error: reason ?? `closed-${event.code}`, transport: 'none', nextAttemptAt: null });
      return; // the provider stops by itself (permanent close)
    }
    if (reason) this.set({ error: reason });
    // Take the reconnect over from the provider: its own timer finds shouldConnect false.
    provider.shouldConnect = false;
    this.wsFailures += 1;
    this.attempts += 1;
    if (this.wsFailures >= WS_FAILURES_FOR_HTTP && !this.httpTimer) void this.pollHttp();
    const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** this.attempts);
    const delay = ceiling / 2 + (Math.random() * ceiling) / 2;
    this.schedule(delay);
  }

  private schedule(delay: number) {
    if (this.timer) clearTimeout(this.timer);
    this.set({ nextAttemptAt: Date.now() + delay, reconnects: this.state.reconnects + 1 });
    this.timer = setTimeout(() => {
      this.timer = null;
      this.set({ nextAttemptAt: null });
      if (!this.stopped) this.provider.connect();
    }, delay);
  }

  /** Skips the backoff wait (network back, tab visible, "sync now"). */
  readonly reconnectNow = () => {
    if (this.stopped || this.provider.wsconnected || this.provider.wsconnecting) return;
    if (this.state.error && this.state.error !== 'too-big') return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.attempts = 0;
    this.set({ nextAttemptAt: null });
    this.provider.connect();
    if (this.httpTimer) void this.pollHttp();
  };

  private onVisible = () => {
    if (document.visibilityState === 'visible') this.reconnectNow();
  };

  /** "Sync now": re-exchange state vectors over whatever works. */
  syncNow() {
    const ws = this.provider.ws;
    if (this.provider.wsconnected && ws) {
      const enc = encoding.createEncoder();
      encoding.writeVarUint(enc, MessageType.sync);
      encoding.writeVarUint(enc, SyncMessageType.step1);
      encoding.writeVarUint8Array(enc, Y.encodeStateVector(this.opts.doc));
      ws.send(encoding.toUint8Array(enc));
    } else {
      this.reconnectNow();
      if (this.state.transport === 'http') void this.pollHttp();
    }
  }

  /** One HTTP sync round (RP20); reschedules itself while WebSockets keep failing. */
  private async pollHttp(): Promise<void> {
    if (this.httpTimer) clearTimeout(this.httpTimer);
    this.httpTimer = null;
    if (this.stopped || this.provider.wsconnected) return;
    const doc = this.opts.doc;
    const enc = encoding.createEncoder();
    encoding.writeVarUint8Array(enc, Y.encodeStateVector(doc));
    const mine = this.state.readOnly
      ? new Uint8Array(0)
      : Y.encodeStateAsUpdate(doc, encodeVector(this.saved));
    encoding.writeVarUint8Array(enc, mine);
    let ok = false;
    try {
      const res = await fetch(`${this.opts.relay}/api/sync/${this.opts.room}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${this.opts.token}`,
          'content-type': 'application/octet-stream',
        },
        body: encoding.toUint8Array(enc),
      });
      if (res.status === 401 || res.status === 404) {
        this.set({ error: res.status === 401 ? 'unauthorized' : 'venue-gone' });
      } else if (res.ok) {
        const dec = decoding.createDecoder(new Uint8Array(await res.arrayBuffer()));
        Y.applyUpdate(doc, decoding.readVarUint8Array(dec), HTTP_ORIGIN);
        this.acknowledge(decoding.readVarUint8Array(dec));
        ok = true;
      }
    } catch {
      ok = false;
    }
    if (this.provider.wsconnected || this.stopped) return;
    const wasUp = this.state.connected;
    this.set({ transport: ok ? 'http' : 'none', connected: ok });
    // The relay is back after being away: try its WebSocket at once rather than after the
    // backoff, so "over HTTP" is shown only while WebSockets really are blocked.
    if (ok && !wasUp) this.reconnectNow();
    const every = ok ? (this.opts.busy() ? 2_000 : 10_000) : 15_000;
    this.httpTimer = setTimeout(() => void this.pollHttp(), every);
  }

  private stopHttp() {
    if (this.httpTimer) clearTimeout(this.httpTimer);
    this.httpTimer = null;
  }

  destroy() {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.stopHttp();
    this.opts.doc.off('update', this.onUpdate);
    removeEventListener('online', this.reconnectNow);
    document.removeEventListener('visibilitychange', this.onVisible);
    this.provider.destroy();
  }
}

function encodeVector(sv: Map<number, number>): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, sv.size);
  for (const [client, clock] of sv) {
    encoding.writeVarUint(enc, client);
    encoding.writeVarUint(enc, clock);
  }
  return encoding.toUint8Array(enc);
}
