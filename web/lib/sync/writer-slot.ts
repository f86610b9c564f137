/**
 * A writer id unique per live tab (venue SPEC VM1): `<deviceId>-<slot>`, where the slot is the first
 * free Web Lock `djamms-writer-<venueId>-<n>`, held for the tab's life. Two tabs of one device
 * therefore never write the same log, and a closed tab's slot is reused by the next one. Without
 * Web Locks the tab keeps one id in sessionStorage, so a reload writes on as the same writer instead
 * of leaving a log behind each time.
 */
export async function acquireWriterSlot(venueId: string, deviceId: string): Promise<string> {
  if (!('locks' in navigator)) return sessionSlot(venueId, deviceId);
  // The page's inline script (app.html) may already hold a slot for the venue in its path.
  const warm = (window as { __djammsWarm?: { slot?: Promise<number | null> } }).__djammsWarm;
  const early = warm?.slot;
  if (early && location.pathname.startsWith(`/v/${venueId}/`)) {
    delete warm.slot;
    const n = await early;
    if (n !== null) return `${deviceId}-${n}`;
  }
  for (let n = 0; n < 64; n++) {
    const held = await new Promise<boolean>((resolve) => {
      void navigator.locks.request(
        `djamms-writer-${venueId}-${n}`,
        { ifAvailable: true },
        (lock) => {
          resolve(lock !== null);
          // Holding the lock means never settling this promise: it is released when the tab goes.
          return lock ? new Promise<void>(() => undefined) : undefined;
        },
      );
    });
    if (held) return `${deviceId}-${n}`;
  }
  return sessionSlot(venueId, deviceId);
}

/** This tab's own writer id, kept across its reloads. */
function sessionSlot(venueId: string, deviceId: string): string {
  const key = `djamms-writer-${venueId}`;
  let writer = sessionStorage.getItem(key);
  if (!writer?.startsWith(`${deviceId}-`)) {
    writer = `${deviceId}-${crypto.randomUUID().slice(0, 8)}`;
    sessionStorage.setItem(key, writer);
  }
  return writer;
}
