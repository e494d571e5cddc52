import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { SOURCE_CONDITION_FLAG } from '@byom/contracts/source-condition';

/**
 * The benchmark's child processes (servers under test and load generators): start them,
 * talk to them over loopback HTTP, sample their memory and CPU from /proc, and make sure
 * none outlives the benchmark, whether it ends normally, throws, or gets Ctrl-C.
 */

export interface Child {
  name: string;
  process: ChildProcess;
  pid: number;
  /** Last few KB of stderr, to say why a child died. */
  stderrTail(): string;
}

const children = new Map<ChildProcess, Child>();
const STDERR_TAIL_BYTES = 4096;

/** Kills every child when the benchmark process goes away for any reason. */
export function killChildrenOnExit(): void {
  const killAll = () => {
    for (const child of children.keys()) child.kill('SIGKILL');
  };
  process.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      process.stderr.write(`\nbench: ${signal}, stopping children\n`);
      killAll();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  }
}

/**
 * Starts `node <args>` (TypeScript, run from source) with the same Node binary as the benchmark.
 * stdout is either discarded (servers: their request logs must never back-pressure a pipe) or collected.
 */
export function startNode(name: string, args: string[], options: StartOptions): Child {
  return startProcess(name, process.execPath, [SOURCE_CONDITION_FLAG, ...args], options);
}

/**
 * Runs a shell command line, such as the Procfile's, through `sh -c exec` so the child's pid
 * is the command's own once it starts. The benchmark's Node comes first on PATH.
 */
export function startCommandLine(name: string, commandLine: string, options: StartOptions): Child {
  const env = { ...options.env, PATH: `${path.dirname(process.execPath)}:${options.env.PATH ?? ''}` };
  return startProcess(name, 'sh', ['-c', `exec ${commandLine}`], { ...options, env });
}

interface StartOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: 'ignore' | 'pipe';
}

function startProcess(name: string, file: string, args: string[], options: StartOptions): Child {
  const child = spawn(file, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['pipe', options.stdout, 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`cannot start ${name}`);
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_TAIL_BYTES);
  });
  const handle: Child = { name, process: child, pid: child.pid, stderrTail: () => stderr.trim() };
  children.set(child, handle);
  child.once('exit', () => children.delete(child));
  return handle;
}

/** Stops every child still running, e.g. a service whose boot timed out. */
export async function stopAllChildren(): Promise<void> {
  await Promise.all([...children.values()].map((child) => stopChild(child)));
}

/** SIGTERM (the service drains on it), then SIGKILL if it has not exited in time. */
export async function stopChild(child: Child, timeoutMs = 5000): Promise<void> {
  const proc = child.process;
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = once(proc, 'exit');
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(timer);
}

export function hasExited(child: Child): boolean {
  return child.process.exitCode !== null || child.process.signalCode !== null;
}

/** A port the OS reports free on 127.0.0.1 (it could be taken again before use; fine for a benchmark). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('cannot find a free port');
  return address.port;
}

export interface HttpResponse {
  status: number;
  body: string;
}

/**
 * A minimal HTTP client on node:http. Not fetch: undici loads lazily on its first call,
 * which would add tens of milliseconds to the first boot-to-ready measurement.
 */
export function httpRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string; timeoutMs?: number } = {},
): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: options.method ?? 'GET', headers: options.headers, timeout: options.timeoutMs ?? 5000 },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${url}: no answer within ${options.timeoutMs ?? 5000} ms`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

/**
 * Polls until `probe` answers 200, every `intervalMs`, and returns the milliseconds from
 * `startedAt`. Fails fast when the child dies and gives up after `timeoutMs`.
 */
export async function waitUntilReady(
  child: Child,
  probe: () => Promise<HttpResponse>,
  startedAt: number,
  { intervalMs = 5, timeoutMs = 30_000 } = {},
): Promise<number> {
  for (;;) {
    if (hasExited(child)) {
      throw new Error(
        `${child.name} exited with code ${child.process.exitCode ?? child.process.signalCode} before it was ready:\n${child.stderrTail()}`,
      );
    }
    try {
      if ((await probe()).status === 200) return performance.now() - startedAt;
    } catch {
      // Not listening yet (ECONNREFUSED): keep polling.
    }
    if (performance.now() - startedAt > timeoutMs)
      throw new Error(`${child.name} was not ready within ${timeoutMs} ms:\n${child.stderrTail()}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Resident memory in bytes (VmRSS), or undefined once the process is gone. */
export function readRssBytes(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

// USER_HZ: the unit of /proc/<pid>/stat CPU times; 100 on every mainstream Linux build.
const CLOCK_TICKS_PER_SECOND = 100;

/** User + system CPU seconds the process has used so far. */
export function readCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start at field 3; utime and stime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** CPU seconds the whole machine has spent busy (all cores, anything but idle and iowait), from /proc/stat. */
export function readMachineBusySeconds(): number | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const total = fields.reduce((sum, x) => sum + x, 0);
    return (total - fields[3]! - (fields[4] ?? 0)) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

export interface ProcessSample {
  peakRssBytes: number;
  /** The process's CPU in % of one core. */
  cpuPercent: number;
  /** The whole machine's CPU in % of one core (200 = two cores busy), to spot load from other processes. */
  machineCpuPercent: number;
}

/**
 * Samples a process's RSS and CPU time, and the machine's, every `intervalMs` until
 * stopped. Peak RSS covers the whole sampling; CPU covers the last `windowSeconds` only
 * (the measured part of a load, without the load generator's start-up and warm-up).
 */
export function sampleProcess(pid: number, intervalMs = 100): { stop(windowSeconds: number): ProcessSample } {
  let peakRssBytes = 0;
  const samples: Array<{ at: number; process: number; machine: number }> = [];
  const sample = () => {
    peakRssBytes = Math.max(peakRssBytes, readRssBytes(pid) ?? 0);
    const processSeconds = readCpuSeconds(pid);
    const machineSeconds = readMachineBusySeconds();
    if (processSeconds !== undefined && machineSeconds !== undefined) {
      samples.push({ at: performance.now(), process: processSeconds, machine: machineSeconds });
    }
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop(windowSeconds) {
      clearInterval(timer);
      sample();
      const last = samples.at(-1);
      const first = samples.find((s) => s.at >= (last?.at ?? 0) - windowSeconds * 1000);
      const seconds = last && first ? (last.at - first.at) / 1000 : 0;
      const percent = (used: number) => (seconds > 0 ? Math.round((used / seconds) * 100) : 0);
      return {
        peakRssBytes,
        cpuPercent: percent((last?.process ?? 0) - (first?.process ?? 0)),
        machineCpuPercent: percent((last?.machine ?? 0) - (first?.machine ?? 0)),
      };
    },
  };
}

/**
 * How busy the whole machine is over `ms`, in % of all cores. Measured before a run:
 * anything else using the CPU (another benchmark, a build) lowers every number, so the
 * report says so instead of passing it off as the service's speed.
 */
export async function machineBusyPercent(ms = 1000): Promise<number | undefined> {
  const before = readMachineBusySeconds();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = readMachineBusySeconds();
  if (before === undefined || after === undefined) return undefined;
  return Math.round(((after - before) / (ms / 1000) / availableParallelism()) * 100);
}
