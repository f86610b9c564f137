import { describe, expect, it } from 'vitest';
import {
  CloseCode,
  isPermanentClose,
  isRoomName,
  mayAppendJournal,
  mayReadJournal,
  parseClaims,
  roomAccess,
  ROLES,
  uploadTypeOf,
} from './index';

describe('protocol vocabulary', () => {
  it('RP5 the access matrix: admin writes both rooms, staff, player and kiosk the venue, viewer and guest nothing', () => {
    const writes = ROLES.map((role) => [
      role,
      roomAccess(role, 'venue').write,
      roomAccess(role, 'library').write,
    ]);
    expect(writes).toEqual([
      ['admin', true, true],
      ['staff', true, false],
      ['player', true, false],
      ['kiosk', true, false],
      ['viewer', false, false],
      ['guest', false, false],
    ]);
  });

  it('RP18 guests append only requests and votes and read nothing; viewers append nothing', () => {
    expect(mayAppendJournal('guest', 'request')).toBe(true);
    expect(mayAppendJournal('guest', 'vote')).toBe(true);
    expect(mayAppendJournal('guest', 'skip')).toBe(false);
    expect(mayAppendJournal('viewer', 'request')).toBe(false);
    expect(mayAppendJournal('player', 'played')).toBe(true);
    expect(mayReadJournal('guest')).toBe(false);
    expect(mayReadJournal('viewer')).toBe(true);
  });

  it('RP5 claims are parsed strictly', () => {
    const venue = 'v' + 'a'.repeat(20);
    expect(parseClaims({ venue, role: 'kiosk', sub: 'd1', iat: 1, exp: 2 })).toEqual({
      venue,
      role: 'kiosk',
      sub: 'd1',
      iat: 1,
      exp: 2,
    });
    expect(parseClaims({ venue, role: 'owner', sub: 'd1', iat: 1, exp: 2 })).toBeNull();
    expect(parseClaims({ venue: 'x', role: 'kiosk', sub: 'd1', iat: 1, exp: 2 })).toBeNull();
    expect(parseClaims({ venue, role: 'guest', sub: 'g1', iat: 1, exp: 2.5 })).toBeNull();
    expect(parseClaims(null)).toBeNull();
  });

  it('RP1 room names are venue or library ids; close codes 44xx are permanent', () => {
    expect(isRoomName('v' + 'A'.repeat(20))).toBe(true);
    expect(isRoomName('l' + '_'.repeat(20))).toBe(true);
    expect(isRoomName('../etc/passwd')).toBe(false);
    expect(isPermanentClose(CloseCode.revoked)).toBe(true);
    expect(isPermanentClose(CloseCode.retryLater)).toBe(false);
  });
});

describe('upload types', () => {
  it('RP19 a file is uploaded as the browser’s type, else as its extension says; active content never', () => {
    expect(uploadTypeOf({ name: 'a.flac', type: '' })).toBe('audio/flac');
    expect(uploadTypeOf({ name: 'Live.MKV', type: '' })).toBe('video/x-matroska');
    expect(uploadTypeOf({ name: 'a.mp3', type: 'audio/mpeg' })).toBe('audio/mpeg');
    expect(uploadTypeOf({ name: 'cover.jpg', type: 'image/jpeg; q=1' })).toBe('image/jpeg');
    expect(uploadTypeOf({ name: 'page.html', type: 'text/html' })).toBeNull();
    expect(uploadTypeOf({ name: 'logo.svg', type: '' })).toBeNull();
    expect(uploadTypeOf({ name: 'notes', type: '' })).toBeNull();
  });
});
