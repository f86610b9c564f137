import { describe, expect, it } from 'vitest';
import { readCliConfig, readImportArgs } from './cli-config';
import { silentLogger } from '../ops/logger';

const read = (argv: string[], env: NodeJS.ProcessEnv = {}) =>
  readCliConfig(argv, env, silentLogger, '/srv');

describe('command line and environment', () => {
  it('RP15 defaults: 127.0.0.1:8787 with ./data', () => {
    const result = read([]);
    expect(result.kind).toBe('run');
    if (result.kind !== 'run') return;
    expect(result.config).toMatchObject({
      host: '127.0.0.1',
      port: 8787,
      dataDir: '/srv/data',
      ephemeral: false,
    });
  });

  it('RP15 environment variables configure the relay; flags win', () => {
    const result = read(['--port', '9000'], {
      DJAMMS_PORT: '7000',
      DJAMMS_HOST: '0.0.0.0',
      DJAMMS_EPHEMERAL: '1',
    });
    expect(result.kind === 'run' && result.config).toMatchObject({
      port: 9000,
      host: '0.0.0.0',
      ephemeral: true,
    });
  });

  it('RP41 --redis and --postgres make a cluster node: both, as URLs, never ephemeral', () => {
    expect(read([]).kind === 'run' && read([])).toMatchObject({ config: { cluster: null } });
    const node = read(['--redis', 'redis://10.0.0.5:6379'], {
      DJAMMS_POSTGRES: 'postgres://djamms@10.0.0.6/djamms',
    });
    expect(node).toMatchObject({
      kind: 'run',
      config: {
        cluster: {
          redisUrl: 'redis://10.0.0.5:6379',
          postgresUrl: 'postgres://djamms@10.0.0.6/djamms',
        },
      },
    });
    expect(read(['--redis', 'redis://r'])).toMatchObject({
      kind: 'error',
      message: expect.stringContaining('go together'),
    });
    expect(read(['--redis', 'localhost:6379', '--postgres', 'postgres://p/db'])).toMatchObject({
      kind: 'error',
      message: expect.stringContaining('--redis must be a redis://'),
    });
    expect(
      read(['--redis', 'redis://r', '--postgres', 'postgres://p/db', '--ephemeral']),
    ).toMatchObject({ kind: 'error', message: expect.stringContaining('--ephemeral') });
  });

  it('RP47 import needs a relay data directory and a PostgreSQL URL', () => {
    expect(readImportArgs(['--data', '/nowhere'], {}, '/srv')).toMatchObject({
      error: expect.stringContaining('--postgres'),
    });
    expect(
      readImportArgs(['--data', '/nowhere', '--postgres', 'postgres://p/db'], {}, '/srv'),
    ).toMatchObject({ error: expect.stringContaining('not a relay') });
    expect(readImportArgs(['--bogus'], {}, '/srv')).toMatchObject({
      error: expect.stringContaining('Usage'),
    });
  });

  it('RP15 invalid settings are refused with clear messages', () => {
    expect(read(['--port', 'eighty'])).toMatchObject({
      kind: 'error',
      message: expect.stringContaining('--port'),
    });
    expect(read(['--tls-cert', 'a.pem'])).toMatchObject({
      kind: 'error',
      message: expect.stringContaining('--tls-key'),
    });
    expect(read(['--bogus'])).toMatchObject({
      kind: 'error',
      message: expect.stringContaining('--help'),
    });
    expect(read(['--help'])).toEqual({ kind: 'help' });
  });

  it('RP26 guest-link rate and connection caps come from flags or the environment', () => {
    const result = read(['--guest-rate', '30', '--max-connections', '500'], {
      DJAMMS_MAX_CONNECTIONS_PER_ADDRESS: '50',
    });
    expect(result.kind === 'run' && result.config.limits).toMatchObject({
      guestTokensPerMinute: 30,
      maxConnections: 500,
      maxConnectionsPerAddress: 50,
    });
    expect(read(['--max-connections', '0'])).toMatchObject({
      kind: 'error',
      message: expect.stringContaining('--max-connections'),
    });
  });

  it('RP29 RP30 journal budgets and the guest rate come from flags; contradictions are refused', () => {
    const result = read(['--guest-request-rate', '40', '--journal-max', '1048576'], {
      DJAMMS_JOURNAL_GUEST_MAX: '262144',
    });
    expect(result.kind === 'run' && result.config).toMatchObject({
      journalRetention: { maxBytes: 1048576, maxGuestBytes: 262144 },
      limits: {
        guestJournal: {
          entriesPerSecond: 40,
          entryBurst: 1200,
          bytesPerSecond: 65536,
          byteBurst: 1966080,
        },
      },
    });
    // a small whole budget takes the guest budget down with it unless told otherwise
    expect(read(['--journal-max', '65536'])).toMatchObject({
      config: { journalRetention: { maxBytes: 65536, maxGuestBytes: 65536 } },
    });
    expect(read(['--journal-max', '100000', '--journal-guest-max', '200000'])).toMatchObject({
      kind: 'error',
      message: expect.stringContaining('--journal-guest-max'),
    });
    expect(read(['--journal-guest-max', '1000'])).toMatchObject({ kind: 'error' });
  });

  it('RP33 play history is kept 400 days unless --history-days says otherwise', () => {
    const day = 86_400_000;
    expect(read([])).toMatchObject({ config: { journalRetention: { historyMs: 400 * day } } });
    expect(read([], { DJAMMS_HISTORY_DAYS: '800' })).toMatchObject({
      config: { journalRetention: { historyMs: 800 * day } },
    });
    expect(read(['--history-days', '0'])).toMatchObject({
      kind: 'error',
      message: expect.stringContaining('--history-days'),
    });
  });
});
