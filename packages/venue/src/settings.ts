/** Venue settings: names, defaults and validation (VM5, VM6). */
import { LIMITS } from './schema';

/** Repeat modes of the programme. */
export type Repeat = 'none' | 'one' | 'all';

/** Every venue setting with its effective value. */
export interface VenueSettings {
  /** Display name of the venue. */
  name: string;
  /** Requested volume, 0–100. The player plays `min(volume, volumeCap)`. */
  volume: number;
  muted: boolean;
  /** Volume cap, 0–100: no volume above it is ever played (VM6). */
  volumeCap: number;
  crossfadeSeconds: number;
  shuffle: { on: boolean; seed: number };
  repeat: Repeat;
  /** Five EQ bands in dB, −12…12 (60 Hz, 230 Hz, 910 Hz, 3.6 kHz, 14 kHz). */
  eq: number[];
  compressor: boolean;
  /** How many upcoming entries the player keeps downloaded. */
  prefetch: number;
  /** Whether guests may request tracks flagged explicit. */
  explicitAllowed: boolean;
  /** Pending requests one guest may have (VM11). */
  requestsPerGuest: number;
  /** Pending requests one kiosk may have: many patrons share it (VM11). */
  requestsPerKiosk: number;
  /**
   * The key of the venue's guest link (the relay's, RP7), shown as a QR code on the player; empty
   * until an admin makes one. Rotating it at the relay and here retires the printed codes.
   */
  guestKey: string;
  /**
   * The gallery's rotation on the player (VM37): during an audio track, one gallery item shows
   * `every` seconds for `seconds` seconds; `every` 0 shows none.
   */
  gallery: GalleryRotation;
  /**
   * The venue's time zone, an IANA name (`Europe/London`): the schedule runs in it and the admin
   * shows today and this week in it (VM32). Empty: each device's own.
   */
  timeZone: string;
}

/** How the player shows the library's gallery (VM37). */
export interface GalleryRotation {
  /** Seconds from one showing to the next: 0 (never) or 15–3600. */
  every: number;
  /** Seconds each showing lasts: 3–120, and less than `every`. */
  seconds: number;
}

/** Name of a setting. */
export type SettingName = keyof VenueSettings;

const isInt = (min: number, max: number) => (v: unknown) =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
const isBool = (v: unknown) => typeof v === 'boolean';
/** The shape of an IANA time zone name (`UTC`, `Europe/London`, `America/Argentina/Salta`), or empty. */
const TIME_ZONE = /^(?:[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+){0,2})?$/;

const VALIDATORS: { [K in SettingName]: (v: unknown) => boolean } = {
  name: (v) => typeof v === 'string' && v.trim().length > 0 && v.length <= LIMITS.text,
  volume: isInt(0, 100),
  muted: isBool,
  volumeCap: isInt(0, 100),
  crossfadeSeconds: (v) => typeof v === 'number' && v >= 0 && v <= 12,
  shuffle: (v) =>
    typeof v === 'object' &&
    v !== null &&
    isBool((v as { on?: unknown }).on) &&
    isInt(0, 0xffffffff)((v as { seed?: unknown }).seed),
  repeat: (v) => v === 'none' || v === 'one' || v === 'all',
  eq: (v) =>
    Array.isArray(v) &&
    v.length === 5 &&
    v.every((band) => typeof band === 'number' && band >= -12 && band <= 12),
  compressor: isBool,
  prefetch: isInt(0, 50),
  explicitAllowed: isBool,
  requestsPerGuest: isInt(1, 20),
  requestsPerKiosk: isInt(1, 50),
  guestKey: (v) => typeof v === 'string' && /^[A-Za-z0-9_-]{0,100}$/.test(v),
  gallery: (v) => {
    if (typeof v !== 'object' || v === null) return false;
    const { every, seconds } = v as { every?: unknown; seconds?: unknown };
    return (
      isInt(3, 120)(seconds) &&
      (every === 0 || (isInt(15, 3600)(every) && (every as number) > (seconds as number)))
    );
  },
  timeZone: (v) => typeof v === 'string' && v.length <= 64 && TIME_ZONE.test(v),
};

/** Settings of a new venue. */
export function defaultSettings(name: string): VenueSettings {
  return {
    name,
    volume: 60,
    muted: false,
    volumeCap: 100,
    crossfadeSeconds: 4,
    shuffle: { on: false, seed: 0 },
    repeat: 'all',
    eq: [0, 0, 0, 0, 0],
    compressor: false,
    prefetch: 3,
    explicitAllowed: false,
    requestsPerGuest: LIMITS.requestsPerGuest,
    requestsPerKiosk: LIMITS.requestsPerKiosk,
    guestKey: '',
    gallery: { every: 60, seconds: 10 },
    timeZone: '',
  };
}

/** The register key a setting is stored under. */
export const settingKey = (name: SettingName) => `set:${name}`;

/** All setting names. */
export const SETTING_NAMES = Object.keys(VALIDATORS) as SettingName[];

/** True when `value` is valid for setting `name`. */
export function isValidSetting(name: SettingName, value: unknown): boolean {
  return VALIDATORS[name](value);
}

/** The volume the player must play: the request bounded by the cap, zero when muted (VM6). */
export function effectiveVolume(settings: VenueSettings): number {
  return settings.muted ? 0 : Math.min(settings.volume, settings.volumeCap);
}
