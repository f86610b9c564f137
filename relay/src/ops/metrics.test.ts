import { describe, expect, it } from 'vitest';
import { routeClass } from './metrics';

describe('RP21 HTTP route classes', () => {
  it('RP21 every route maps to one of a few classes, whatever the venue or file', () => {
    const classes = Object.fromEntries(
      [
        '/api/sync/v-1',
        '/api/venues/v-1/journal',
        '/api/venues/v-1/media',
        '/media/abc123',
        '/api/pair',
        '/api/guest',
        '/api/venues',
        '/api/venues/v-1/devices/d-2',
        '/api/time',
        '/healthz',
        '/metrics',
        '/',
        '/kiosk/v-1',
        '/api/venues/v-1/journalx',
      ].map((path) => [path, routeClass(path)]),
    );
    expect(classes).toEqual({
      '/api/sync/v-1': 'sync',
      '/api/venues/v-1/journal': 'journal',
      '/api/venues/v-1/media': 'media',
      '/media/abc123': 'media',
      '/api/pair': 'sign-in',
      '/api/guest': 'sign-in',
      '/api/venues': 'venues',
      '/api/venues/v-1/devices/d-2': 'venues',
      '/api/time': 'api',
      '/healthz': 'monitoring',
      '/metrics': 'monitoring',
      '/': 'app',
      '/kiosk/v-1': 'app',
      '/api/venues/v-1/journalx': 'venues',
    });
  });
});
