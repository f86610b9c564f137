import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Logger } from '../ops/logger';
import {
  DEFAULT_JOURNAL_RETENTION,
  DEFAULT_HISTORY_DAYS,
  DEFAULT_LIMITS,
  defaultConfig,
  type RelayConfig,
} from './relay-config';
import type { ClusterConfig } from '../cluster/cluster-config';
import { MIN_RETENTION_BYTES } from '../storage/JournalStore';

const GUEST = DEFAULT_LIMITS.guestJournal;

/** `--help` text (also the reference for README's option table). */
export const HELP = `djamms-relay: the DJAMMS sync relay

Usage: djamms-relay [options]
       djamms-relay backup --data <dir> --to <new dir>       (while running, too: README)
       djamms-relay restore --from <backup dir> --data <empty dir>

Options (environment variable in brackets):
  --port <n>          TCP port, 0 for any free port          [DJAMMS_PORT]   default 8787
  --host <addr>       Address to listen on                   [DJAMMS_HOST]   default 127.0.0.1
  --data <dir>        Data directory                          [DJAMMS_DATA]   default ./data
  --ephemeral         Keep nothing on disk                    [DJAMMS_EPHEMERAL=1]
  --tls-cert <file>   PEM certificate: serve HTTPS and WSS    [DJAMMS_TLS_CERT]
  --tls-key <file>    PEM private key for --tls-cert          [DJAMMS_TLS_KEY]
  --static <dir>      Built PWA to serve                      [DJAMMS_STATIC] default <repo>/build if present
  --max-message <n>   Largest sync message in bytes           [DJAMMS_MAX_MESSAGE] default ${DEFAULT_LIMITS.maxMessageBytes}
  --max-media <n>     Largest media upload in bytes           [DJAMMS_MAX_MEDIA]   default ${DEFAULT_LIMITS.maxMediaBytes}
  --message-rate <n>  Sync messages per second per token      [DJAMMS_MESSAGE_RATE] default ${DEFAULT_LIMITS.messagesPerSecond}
  --http-rate <n>     HTTP requests per second per token      [DJAMMS_HTTP_RATE]    default ${DEFAULT_LIMITS.httpPerSecond}
  --guest-rate <n>    Guest tokens per minute per guest link  [DJAMMS_GUEST_RATE]   default ${DEFAULT_LIMITS.guestTokensPerMinute}
  --max-connections <n>
                      Open connections (HTTP and sync) in all [DJAMMS_MAX_CONNECTIONS] default ${DEFAULT_LIMITS.maxConnections}
  --max-connections-per-address <n>
                      Open connections per client address     [DJAMMS_MAX_CONNECTIONS_PER_ADDRESS] default ${DEFAULT_LIMITS.maxConnectionsPerAddress}
  --guest-request-rate <n>
                      Guest requests and votes per second per guest link and per address
                      (the byte rate scales with it)          [DJAMMS_GUEST_REQUEST_RATE] default ${GUEST.entriesPerSecond}
  --journal-max <n>   Bytes of journal each venue keeps       [DJAMMS_JOURNAL_MAX]  default ${DEFAULT_JOURNAL_RETENTION.maxBytes}
  --journal-guest-max <n>
                      Of those, bytes of guest entries        [DJAMMS_JOURNAL_GUEST_MAX] default ${DEFAULT_JOURNAL_RETENTION.maxGuestBytes}
  --history-days <n>  Days of play history each venue keeps   [DJAMMS_HISTORY_DAYS] default ${DEFAULT_HISTORY_DAYS}
  --redis <url>       Cluster node: Redis moving room updates between nodes
                      (redis://host:port)                     [DJAMMS_REDIS]
  --postgres <url>    Cluster node: PostgreSQL keeping rooms, registry, journal,
                      media (postgres://user@host/db)         [DJAMMS_POSTGRES]
  --quiet             Log warnings and errors only            [DJAMMS_QUIET=1]
  --help              Show this help

  djamms-relay import --data <dir> --postgres <url>
                      Move a stopped single relay's data directory into a new cluster's
                      PostgreSQL database, before any node starts on it
`;

/** Result of reading the command line and environment. */
export type CliResult =
  | { readonly kind: 'help' }
  | { readonly kind: 'error'; readonly message: string }
  | { readonly kind: 'run'; readonly config: RelayConfig; readonly quiet: boolean };

const OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string' },
  data: { type: 'string' },
  ephemeral: { type: 'boolean' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  static: { type: 'string' },
  'max-message': { type: 'string' },
  'max-media': { type: 'string' },
  'message-rate': { type: 'string' },
  'http-rate': { type: 'string' },
  'guest-rate': { type: 'string' },
  'guest-request-rate': { type: 'string' },
  'max-connections': { type: 'string' },
  'max-connections-per-address': { type: 'string' },
  'journal-max': { type: 'string' },
  'journal-guest-max': { type: 'string' },
  'history-days': { type: 'string' },
  redis: { type: 'string' },
  postgres: { type: 'string' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean' },
} as const;

/** Reads options once (flags win over environment variables) and validates them (RP15). */
export function readCliConfig(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  logger: Logger,
  cwd: string,
  /** The built PWA served when `--static` is not given (the repository's `build/`), if present. */
  defaultStatic: string = resolve(cwd, 'build'),
): CliResult {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: [...argv], options: OPTIONS, strict: true }).values;
  } catch (error) {
    return { kind: 'error', message: `${(error as Error).message}\nRun with --help for options.` };
  }
  if (values.help) return { kind: 'help' };
  const pick = (flag: string, envName: string): string | undefined =>
    (values[flag] as string | undefined) ?? env[envName];
  const problems: string[] = [];
  const number = (flag: string, envName: string, fallback: number, min: number, max: number) => {
    const raw = pick(flag, envName);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(
        `--${flag} (${envName}) must be an integer from ${min} to ${max}, got "${raw}".`,
      );
    }
    return n;
  };
  const port = number('port', 'DJAMMS_PORT', 8787, 0, 65535);
  const maxMessage = number(
    'max-message',
    'DJAMMS_MAX_MESSAGE',
    DEFAULT_LIMITS.maxMessageBytes,
    1024,
    2 ** 30,
  );
  const maxMedia = number(
    'max-media',
    'DJAMMS_MAX_MEDIA',
    DEFAULT_LIMITS.maxMediaBytes,
    1024,
    2 ** 40,
  );
  const rate = number(
    'message-rate',
    'DJAMMS_MESSAGE_RATE',
    DEFAULT_LIMITS.messagesPerSecond,
    1,
    1e6,
  );
  const httpRate = number('http-rate', 'DJAMMS_HTTP_RATE', DEFAULT_LIMITS.httpPerSecond, 1, 1e6);
  const guestRate = number(
    'guest-rate',
    'DJAMMS_GUEST_RATE',
    DEFAULT_LIMITS.guestTokensPerMinute,
    1,
    1e6,
  );
  const maxConnections = number(
    'max-connections',
    'DJAMMS_MAX_CONNECTIONS',
    DEFAULT_LIMITS.maxConnections,
    1,
    1e7,
  );
  const maxConnectionsPerAddress = number(
    'max-connections-per-address',
    'DJAMMS_MAX_CONNECTIONS_PER_ADDRESS',
    DEFAULT_LIMITS.maxConnectionsPerAddress,
    1,
    1e7,
  );
  const guestRequestRate = number(
    'guest-request-rate',
    'DJAMMS_GUEST_REQUEST_RATE',
    GUEST.entriesPerSecond,
    1,
    1e6,
  );
  const journalMax = number(
    'journal-max',
    'DJAMMS_JOURNAL_MAX',
    DEFAULT_JOURNAL_RETENTION.maxBytes,
    MIN_RETENTION_BYTES,
    2 ** 40,
  );
  const journalGuestMax = number(
    'journal-guest-max',
    'DJAMMS_JOURNAL_GUEST_MAX',
    Math.min(DEFAULT_JOURNAL_RETENTION.maxGuestBytes, journalMax),
    MIN_RETENTION_BYTES,
    2 ** 40,
  );
  const historyDays = number(
    'history-days',
    'DJAMMS_HISTORY_DAYS',
    DEFAULT_HISTORY_DAYS,
    1,
    36_500,
  );
  if (journalGuestMax > journalMax) {
    problems.push(
      '--journal-guest-max must not exceed --journal-max (guest entries are part of it).',
    );
  }
  const ephemeral =
    Boolean(values.ephemeral) || env.DJAMMS_EPHEMERAL === '1' || env.DJAMMS_EPHEMERAL === 'true';
  const tls = readTls(
    pick('tls-cert', 'DJAMMS_TLS_CERT'),
    pick('tls-key', 'DJAMMS_TLS_KEY'),
    problems,
  );
  const staticFlag = pick('static', 'DJAMMS_STATIC');
  if (staticFlag && !existsSync(staticFlag))
    problems.push(`--static ${staticFlag}: no such directory.`);
  const cluster = readCluster(
    pick('redis', 'DJAMMS_REDIS'),
    pick('postgres', 'DJAMMS_POSTGRES'),
    ephemeral,
    problems,
  );
  if (problems.length > 0) return { kind: 'error', message: problems.join('\n') };
  const quiet = Boolean(values.quiet) || env.DJAMMS_QUIET === '1';
  const config = defaultConfig({
    logger,
    port,
    host: pick('host', 'DJAMMS_HOST') ?? '127.0.0.1',
    dataDir: resolve(cwd, pick('data', 'DJAMMS_DATA') ?? 'data'),
    ephemeral,
    tls,
    staticDir: staticFlag
      ? resolve(cwd, staticFlag)
      : existsSync(defaultStatic)
        ? defaultStatic
        : null,
    limits: {
      ...DEFAULT_LIMITS,
      maxMessageBytes: maxMessage,
      maxMediaBytes: maxMedia,
      messagesPerSecond: rate,
      httpPerSecond: httpRate,
      messageBurst: Math.max(DEFAULT_LIMITS.messageBurst, rate * 10),
      httpBurst: Math.max(DEFAULT_LIMITS.httpBurst, httpRate * 10),
      guestTokensPerMinute: guestRate,
      maxConnections,
      maxConnectionsPerAddress,
      guestJournal: guestJournalRate(guestRequestRate),
    },
    journalRetention: {
      maxBytes: journalMax,
      maxGuestBytes: journalGuestMax,
      historyMs: historyDays * 86_400_000,
    },
    cluster,
  });
  return { kind: 'run', config, quiet };
}

/** The guest journal rate for `entries` a second: bytes scale with it; bursts are never smaller. */
function guestJournalRate(entries: number) {
  const bytesPerSecond = Math.round((GUEST.bytesPerSecond * entries) / GUEST.entriesPerSecond);
  return {
    entriesPerSecond: entries,
    entryBurst: Math.max(GUEST.entryBurst, entries * 30),
    bytesPerSecond,
    byteBurst: Math.max(GUEST.byteBurst, bytesPerSecond * 30),
  };
}

function readTls(cert: string | undefined, key: string | undefined, problems: string[]) {
  if (!cert && !key) return null;
  if (!cert || !key) {
    problems.push('--tls-cert and --tls-key go together: give both or neither.');
    return null;
  }
  try {
    return { cert: readFileSync(cert), key: readFileSync(key) };
  } catch (error) {
    problems.push(`Cannot read the TLS files: ${(error as Error).message}`);
    return null;
  }
}

/** `--redis` and `--postgres` make a cluster node (RP40–RP46): both or neither, never ephemeral. */
function readCluster(
  redis: string | undefined,
  postgres: string | undefined,
  ephemeral: boolean,
  problems: string[],
): ClusterConfig | null {
  if (!redis && !postgres) return null;
  if (!redis || !postgres) {
    problems.push('--redis and --postgres go together: a cluster node needs both.');
    return null;
  }
  if (ephemeral) {
    problems.push(
      '--ephemeral cannot be a cluster node: the cluster keeps its data in PostgreSQL.',
    );
  }
  for (const [flag, url, schemes] of [
    ['--redis', redis, ['redis:', 'rediss:']],
    ['--postgres', postgres, ['postgres:', 'postgresql:']],
  ] as const) {
    let scheme = '';
    try {
      scheme = new URL(url).protocol;
    } catch {
      // reported below
    }
    if (!(schemes as readonly string[]).includes(scheme)) {
      problems.push(
        `${flag} must be a ${schemes.map((s) => `${s}//…`).join(' or ')} URL, got "${url}".`,
      );
    }
  }
  return { redisUrl: redis, postgresUrl: postgres };
}

/** `djamms-relay import --help`. */
export const IMPORT_USAGE = 'Usage: djamms-relay import --data <dir> --postgres <url>\n';

/**
 * `djamms-relay import --data DIR --postgres URL` (RP47), read like the relay's own flags; with
 * `--help`, its usage.
 */
export function readImportArgs(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
):
  | { readonly dataDir: string; readonly postgresUrl: string }
  | { readonly error: string }
  | { readonly usage: string } {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        data: { type: 'string' },
        postgres: { type: 'string' },
        help: { type: 'boolean' },
      },
      strict: true,
    }).values;
  } catch (error) {
    return { error: `${(error as Error).message}\n${IMPORT_USAGE}` };
  }
  if (values.help) return { usage: IMPORT_USAGE };
  const data = (values.data as string | undefined) ?? env.DJAMMS_DATA;
  const postgres = (values.postgres as string | undefined) ?? env.DJAMMS_POSTGRES;
  if (!data || !postgres) {
    return { error: "import needs --data (the single relay's data directory) and --postgres." };
  }
  const problems: string[] = [];
  readCluster('redis://unused', postgres, false, problems);
  if (problems.length > 0) return { error: problems.join('\n') };
  const dataDir = resolve(cwd, data);
  if (!existsSync(resolve(dataDir, 'secret'))) {
    return { error: `${dataDir} is not a relay's data directory (it has no secret file).` };
  }
  return { dataDir, postgresUrl: postgres };
}
