/**
 * A writer id unique per live tab (venue SPEC VM1): `<deviceId>-<slot>`, where the slot is the first
 * free Web Lock `djamms-writer-<venueId>-<n>`, held for the tab's life. Two tabs of one device
 * therefore never write the same ledger, and a closed tab's slot is reused by the next one.
 */
export async function acquireWriterSlot(venueId: string, deviceId: string): Promise<string> {
  if (!('locks' in navigator)) return `${deviceId}-${crypto.randomUUID().slice(0, 8)}`;
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
  return `${deviceId}-${crypto.randomUUID().slice(0, 8)}`;
}
