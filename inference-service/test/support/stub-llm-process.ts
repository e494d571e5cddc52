import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { freePort } from './service-process.ts';

const STUB_ENTRY = new URL('../../bench/stub-llm-server.ts', import.meta.url).pathname;

/**
 * The stub OpenAI-compatible provider (bench/stub-llm-server.ts) as a process of its own, for
 * tests of a provider that hangs and recovers the way a real one does: `hang()` stops the process
 * (SIGSTOP), so connections are still accepted by the kernel but nothing answers, and `recover()`
 * lets it run again (SIGCONT).
 */
export interface StubLlmProcess {
  baseUrl: string;
  child: ChildProcess;
  hang(): void;
  recover(): void;
  close(): Promise<void>;
}

export async function startStubLlmProcess(env: Record<string, string> = {}): Promise<StubLlmProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [STUB_ENTRY], {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const deadline = Date.now() + 10_000;
  while (!(await accepts(port))) {
    if (child.exitCode !== null) throw new Error(`the stub provider exited with ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error('the stub provider did not listen within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    child,
    hang: () => void child.kill('SIGSTOP'),
    recover: () => void child.kill('SIGCONT'),
    close: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    },
  };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
