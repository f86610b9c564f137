import { describe, expect, it } from 'vitest';
import { Histogram, Registry } from 'prom-client';
import { TallyHistogram, routeClass } from './metrics';

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

describe('RP21 histograms observed per update', () => {
  it('RP21 a tallied histogram renders on /metrics exactly as a prom-client histogram of the same observations', async () => {
    const bounds = [0.001, 0.01, 0.1, 1];
    const ours = new Registry();
    const theirs = new Registry();
    const tallied = new TallyHistogram(ours, 'x_seconds', 'Help text.', bounds);
    const reference = new Histogram({
      name: 'x_seconds',
      help: 'Help text.',
      buckets: bounds,
      registers: [theirs],
    });
    for (const value of [0, 0.001, 0.0011, 0.05, 0.1, 0.7, 1, 3, 250]) {
      tallied.observe(value);
      reference.observe(value);
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });
});
