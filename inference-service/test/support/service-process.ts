import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SOURCE_CONDITION_FLAG } from '@byom/contracts/source-condition';
import { procfileWebCommand, REPO_ROOT } from '../../bench/production-command.ts';

export const SERVICE_ENTRY = new URL('../../src/server.ts', import.meta.url).pathname;

export interface ServiceProcess {
  child: ChildProcessWithoutNullStreams;
  port: number;
  baseUrl: string;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code once the process ends. */
  exited: Promise<number | null>;
}

/** A free loopback port, so parallel test files never collide. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** Starts `node src/server.ts` as a real process with the given environment (nothing inherited but PATH). */
export async function startService(env: Record<string, string>): Promise<ServiceProcess> {
  return spawnService(process.execPath, [SOURCE_CONDITION_FLAG, SERVICE_ENTRY], path.dirname(SERVICE_ENTRY), env);
}

/**
 * Starts the Procfile's web command line as Heroku would (from the repository root, through a
 * shell); `exec` so the pid and SIGTERM are node's own. Run `buildService()` first.
 */
export async function startProductionCommand(env: Record<string, string>): Promise<ServiceProcess> {
  return spawnService('sh', ['-c', `exec ${procfileWebCommand()}`], REPO_ROOT, {
    // This test run's Node first, as the buildpack's Node is on a dyno.
    PATH: `${path.dirname(process.execPath)}:${process.env.PATH ?? ''}`,
    ...env,
  });
}

async function spawnService(
  file: string,
  args: string[],
  cwd: string,
  env: Record<string, string>,
): Promise<ServiceProcess> {
  const port = await freePort();
  const child = spawn(file, args, {
    cwd,
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: String(port),
      // A test never reads or writes the developer's inference-service/.dev-key.
      BYOM_DEV_KEY_FILE: path.join(tmpdir(), `byom-test-${process.pid}.dev-key`),
      ...env,
    },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, port, baseUrl: `http://127.0.0.1:${port}`, stdout: () => out, stderr: () => err, exited };
}

/** Polls /readyz until it answers 200; fails if the process exits or the deadline passes. */
export async function waitUntilReady(service: ServiceProcess, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | null | undefined;
  void service.exited.then((code) => (exitCode = code));
  while (Date.now() < deadline) {
    if (exitCode !== undefined) throw new Error(`service exited with ${exitCode}: ${service.stderr()}`);
    try {
      if ((await fetch(`${service.baseUrl}/readyz`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`service not ready after ${timeoutMs} ms: ${service.stderr()}`);
}
