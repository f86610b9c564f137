/** Staff operations on settings, bans, schedules and intents (VM2, VM5, VM6). */
import type { Draft } from './Draft';
import { randomId } from './ids';
import { fact } from './ledger';
import type { OpContext } from './op-context';
import { fail, ok, type Result } from './result';
import { isSlot, type Slot } from './schedule';
import { INTENT_KINDS, type IntentKind } from './schema';
import { isValidSetting, settingKey, type SettingName, type VenueSettings } from './settings';
import { isId } from './validate';

/** Sets register `key` in the draft, stamped with this operation's stamp (a copy of the caller's value). */
function setRegister(ctx: OpContext, draft: Draft, key: string, value: unknown) {
  draft.setRegister(key, structuredClone(value), ctx.h);
}

/**
 * Sets a setting. The value is stamped with this replica's hybrid logical clock, and the newest
 * stamp wins everywhere, whatever the Yjs client ids (VM5).
 */
export function setSetting<K extends SettingName>(
  ctx: OpContext,
  draft: Draft,
  name: K,
  value: VenueSettings[K],
): Result<void> {
  if (!isValidSetting(name, value))
    return fail('invalid', `${name} cannot be ${JSON.stringify(value)}`);
  setRegister(ctx, draft, settingKey(name), value);
  return ok(undefined);
}

/** Turns shuffle on with a fresh seed (so every device shows the same order, VM7), or off. */
export function setShuffle(ctx: OpContext, draft: Draft, on: boolean): Result<number> {
  const seed = on ? Math.floor(ctx.random() * 0x100000000) : ctx.view.settings.shuffle.seed;
  return setSetting(ctx, draft, 'shuffle', { on, seed }).ok ? ok(seed) : fail('invalid', 'seed');
}

/** Bans a track at this venue (it never plays, guests cannot request it), or lifts the ban. */
export function banTrack(ctx: OpContext, draft: Draft, track: string, banned: boolean) {
  if (!isId(track)) return fail('invalid', 'track id is malformed');
  setRegister(ctx, draft, `ban:${track}`, banned);
  return ok(undefined);
}

/**
 * Chooses a playlist of the library for this venue, or puts it aside (VM31): venues that share a
 * library each show and use their own choice of its playlists.
 */
export function choosePlaylist(ctx: OpContext, draft: Draft, playlist: string, chosen: boolean) {
  if (!isId(playlist)) return fail('invalid', 'playlist id is malformed');
  setRegister(ctx, draft, `pl:${playlist}`, chosen);
  return ok(undefined);
}

/** Adds or replaces a schedule slot. */
export function setSlot(ctx: OpContext, draft: Draft, slot: Slot): Result<void> {
  if (!isSlot(slot))
    return fail('invalid', 'a slot needs days, a start before its end and a playlist');
  setRegister(ctx, draft, `slot:${slot.id}`, slot);
  return ok(undefined);
}

/** Removes a schedule slot. */
export function removeSlot(ctx: OpContext, draft: Draft, id: string): Result<void> {
  if (!ctx.view.schedules.some((s) => s.id === id)) return fail('not-found', 'no such slot');
  setRegister(ctx, draft, `slot:${id}`, null);
  return ok(undefined);
}

/** What an intent may carry. */
export interface IntentTarget {
  /** The entry it acts on; defaults to what is playing now for targeted kinds. */
  entry?: string;
  /** Seek position in milliseconds. */
  positionMs?: number;
}

/**
 * Sends an intent to the active player. It carries the entry it targets and the emergency-stop count
 * this device has seen, so the player can apply it only while fresh and on target (VM2, VM6).
 */
export function sendIntent(
  ctx: OpContext,
  draft: Draft,
  kind: IntentKind,
  target: IntentTarget = {},
): Result<string> {
  if (!INTENT_KINDS.includes(kind)) return fail('invalid', `unknown intent ${String(kind)}`);
  if (kind === 'seek' && !(target.positionMs !== undefined && target.positionMs >= 0)) {
    return fail('invalid', 'seek needs a position');
  }
  const id = randomId(ctx.random, 'i');
  const entry = target.entry ?? ctx.view.nowPlaying?.entry;
  draft.intents.set(
    id,
    fact.intent(id, {
      kind,
      at: ctx.now,
      h: ctx.h,
      stop: ctx.view.emergencyStops,
      ...(entry !== undefined && kind !== 'emergency-stop' && kind !== 'fade-out-stop'
        ? { entry }
        : {}),
      ...(kind === 'seek' ? { pos: Math.round(target.positionMs!) } : {}),
    }),
  );
  return ok(id);
}

/**
 * Records that an admin revoked a device at the relay: from now on its ledgers are retired at once
 * (VM24) and a revoked player holds no lease (VM3).
 */
export function revokeDevice(ctx: OpContext, draft: Draft, device: string): Result<void> {
  if (!isId(device)) return fail('invalid', 'device id is malformed');
  if (device === ctx.identity.device) return fail('invalid', 'a device cannot revoke itself');
  setRegister(ctx, draft, `rev:${device}`, true);
  return ok(undefined);
}
