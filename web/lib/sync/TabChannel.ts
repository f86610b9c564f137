/**
 * Tabs of one browser keep a document in sync through a BroadcastChannel, with no network at all.
 * On open a tab sends its state vector; every other tab answers with what it lacks. After that each
 * tab posts its own updates (not those it received from another tab, which every tab already has).
 */
import * as Y from 'yjs';

/** The origin of updates applied from another tab. */
export const TAB_ORIGIN = Symbol('tab');

type TabMessage =
  | { t: 'hello'; from: string; sv: Uint8Array; reply: boolean }
  | { t: 'update'; from: string; to?: string; u: Uint8Array; sentAt: number };

export class TabChannel {
  private readonly channel: BroadcastChannel;
  private readonly id = crypto.randomUUID();
  private closed = false;
  /** Milliseconds between another tab's post and our apply, for diagnostics. */
  lastLatencyMs: number | null = null;

  constructor(
    room: string,
    readonly doc: Y.Doc,
  ) {
    this.channel = new BroadcastChannel(`djamms-doc-${room}`);
    this.channel.onmessage = (e: MessageEvent<TabMessage>) => this.receive(e.data);
    doc.on('update', this.onUpdate);
  }

  /** Asks the other tabs for what this one lacks (call once local state is loaded). */
  hello() {
    this.post({ t: 'hello', from: this.id, sv: Y.encodeStateVector(this.doc), reply: false });
  }

  /**
   * Posts to the other tabs; nothing once destroyed (a document closed while its local state was
   * still loading, as when the device turns out not to be paired, says its hello after the close).
   */
  private post(message: TabMessage) {
    if (!this.closed) this.channel.postMessage(message);
  }

  private onUpdate = (u: Uint8Array, origin: unknown) => {
    if (origin === TAB_ORIGIN) return;
    this.post({
      t: 'update',
      from: this.id,
      u,
      sentAt: performance.timeOrigin + performance.now(),
    });
  };

  private receive(m: TabMessage) {
    if (m.from === this.id) return;
    if (m.t === 'hello') {
      const diff = Y.encodeStateAsUpdate(this.doc, m.sv);
      // An empty diff is two zero bytes: nothing to send.
      if (diff.byteLength > 2)
        this.post({ t: 'update', from: this.id, to: m.from, u: diff, sentAt: 0 });
      // Also learn what the newcomer has that we lack (a reply is never answered with a hello).
      if (!m.reply) {
        this.post({ t: 'hello', from: this.id, sv: Y.encodeStateVector(this.doc), reply: true });
      }
      return;
    }
    if (m.to && m.to !== this.id) return;
    Y.applyUpdate(this.doc, m.u, TAB_ORIGIN);
    if (m.sentAt) this.lastLatencyMs = performance.timeOrigin + performance.now() - m.sentAt;
  }

  destroy() {
    this.closed = true;
    this.doc.off('update', this.onUpdate);
    this.channel.close();
  }
}
