/**
 * Service worker registration and the update policy (research/pwa-anchors.md §3.3): a new version
 * is fetched in the background and waits; the player applies it only between tracks, the admin
 * gets a prompt. Also asks the worker to replay queued HTTP side effects on `online` and at start.
 */
class PwaState {
  /** A new version is installed and waiting. */
  updateReady = $state(false);
  offlineReady = $state(false);
  private apply: ((reload?: boolean) => Promise<void>) | null = null;

  async register() {
    if (!('serviceWorker' in navigator)) return;
    const { registerSW } = await import('virtual:pwa-register');
    this.apply = registerSW({
      immediate: true,
      onNeedRefresh: () => (this.updateReady = true),
      onOfflineReady: () => (this.offlineReady = true),
      onRegisteredSW: (_url, registration) => {
        if (registration) setInterval(() => void registration.update(), 30 * 60_000);
      },
    });
    addEventListener('online', replaySideEffects);
    void navigator.serviceWorker.ready.then(replaySideEffects);
  }

  /** Switches to the waiting version (reloads the page). Call only between tracks on a player. */
  async applyUpdate() {
    if (!this.updateReady || !this.apply) return;
    // vite-plugin-pwa#789: the first update may not reload by itself; reload once it controls.
    navigator.serviceWorker.addEventListener('controllerchange', () => location.reload(), {
      once: true,
    });
    await this.apply(true);
  }
}

export const pwa = new PwaState();

/** Asks the service worker to send the HTTP side effects it queued (journal posts, uploads). */
export function replaySideEffects() {
  navigator.serviceWorker?.controller?.postMessage({ type: 'REPLAY' });
}

/** Asks the browser not to evict this origin (Yjs state must outlive media pressure). */
export async function requestPersistence(): Promise<boolean> {
  if (!navigator.storage?.persist) return false;
  if (await navigator.storage.persisted()) return true;
  return navigator.storage.persist().catch(() => false);
}
