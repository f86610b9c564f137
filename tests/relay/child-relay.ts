import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../relay/bin/djamms-relay.js', import.meta.url));

/** A relay running as a real child process (for SIGKILL tests and the benchmark). */
export interface ChildRelay {
  readonly process: ChildProcess;
  readonly url: string;
  readonly port: number;
}

/** A port that was free a moment ago (so a restarted relay can come back on the same one). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || !address) throw new Error('no port');
  return address.port;
}

/** Starts `djamms-relay` and resolves once it listens. */
export async function startChildRelay(args: readonly string[]): Promise<ChildRelay> {
  const child = spawn(process.execPath, [BIN, '--quiet', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /DJAMMS relay on (\S+)/.exec(output);
      if (match?.[1]) resolve(match[1]);
    };
    child.stderr.on('data', onData);
    child.stdout.on('data', () => undefined);
    child.once('exit', (code) => reject(new Error(`relay exited (${code}): ${output}`)));
  });
  return { process: child, url, port: Number(new URL(url).port) };
}

/** SIGKILLs a child relay and waits for it to be gone. */
export async function killChild(
  relay: ChildRelay,
  signal: NodeJS.Signals = 'SIGKILL',
): Promise<void> {
  if (relay.process.exitCode !== null || relay.process.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => relay.process.once('exit', () => resolve()));
  relay.process.kill(signal);
  await exited;
}
