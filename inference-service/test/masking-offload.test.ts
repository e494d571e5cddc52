import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { buildLargePromptBody } from '../bench/llm-request-bodies.ts';
import { startProductionService } from './support/production-service.ts';
import type { ProductionService } from './support/production-service.ts';
import type { ServiceProcess } from './support/service-process.ts';
import type { StubLlmProvider } from './support/stub-llm-provider.ts';

const KEY = 'masking-offload-key-0123456789';
/** About the largest prompt the service accepts (MAX_BODY_BYTES is 10 MiB): seconds of masking. */
const HUGE_PROMPT_CHARS = 9_000_000;

/**
 * Large prompts are masked on the worker pool, against the production command: the event loop
 * keeps answering while one is masked, and the caller's deadline counts the masking time.
 */
describe('masking a 9 MB prompt in the production process', () => {
  let running: ProductionService;
  let service: ServiceProcess;
  let stub: StubLlmProvider;

  before(async () => {
    // The route the benchmark's prompt bodies name.
    running = await startProductionService({ BYOM_API_KEYS: KEY }, 'bench');
    ({ service, stub } = running);
    // A short answer: the stub's default echo of a 9 MB prompt would be over the route's length cap.
    stub.setDefault({ type: 'reply', text: 'Call [NAME_1] at [EMAIL_1] this week.' });
  });
  after(async () => {
    await running?.stop();
  });

  const generate = (body: unknown) =>
    fetch(`${service.baseUrl}/v1/generate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it(
    'runs the pool thread nicer than the event loop, which keeps the priority it started with',
    {
      skip: !existsSync('/proc/self/task') && 'per-thread nice values are read from Linux /proc',
    },
    async () => {
      const pid = service.child.pid!;
      // WORKER_THREADS is 1 by default: one thread at +10 (POOL_NICE_INCREMENT) once the pool has started.
      let nice = await threadNiceValues(pid);
      for (let i = 0; i < 50 && !nice.some(({ value }) => value === 10); i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        nice = await threadNiceValues(pid);
      }
      assert.equal(
        nice.find(({ tid }) => tid === pid)?.value,
        0,
        'the main thread runs at the nice value it started with',
      );
      assert.deepEqual(
        nice.filter(({ value }) => value !== 0).map(({ value }) => value),
        [10],
        `exactly one thread (the pool's) at +10, every other at 0: ${JSON.stringify(nice)}`,
      );
    },
  );

  it('keeps answering health checks while the prompt is masked, then answers the prompt', async () => {
    let pending = true;
    const huge = generate(buildLargePromptBody(HUGE_PROMPT_CHARS)).then(async (response) => {
      pending = false;
      return {
        status: response.status,
        body: (await response.json()) as { text?: string; masked?: { total: number } },
      };
    });
    // Masking 9 MB takes seconds. On the main thread it would hold every health check until it
    // ended (a few answers at most while the request is pending); on the pool they keep coming.
    let answeredWhilePending = 0;
    while (pending) {
      const health = await fetch(`${service.baseUrl}/healthz`);
      assert.equal(health.status, 200);
      if (pending) answeredWhilePending++;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(answeredWhilePending >= 10, `${answeredWhilePending} health checks answered while masking`);

    const answer = await huge;
    assert.equal(answer.status, 200, JSON.stringify(answer.body).slice(0, 300));
    assert.ok(answer.body.masked!.total > 1000, 'every paragraph had values to mask');
    assert.equal(answer.body.text, 'Call Jane Doe at jane.doe0@acme.example this week.');
    const sent = stub.requests.at(-1)!.rawBody;
    for (const value of ['jane.doe', 'Jane Doe']) {
      const at = sent.indexOf(value);
      assert.equal(at, -1, `the provider saw placeholders only, not: ${sent.slice(Math.max(0, at - 200), at + 100)}`);
    }
  });

  it('counts masking time against the deadline: 504 DEADLINE_EXCEEDED, and nothing sent', async () => {
    const before = stub.requests.length;
    // The shortest deadline a request may set: masking 9 MB takes seconds even on a quiet machine
    // (at 1,000 ms a warm pool thread once finished just in time, and the provider answered).
    const response = await generate(buildLargePromptBody(HUGE_PROMPT_CHARS, 100));
    const body = (await response.json()) as { error: { code: string; message: string } };
    assert.equal(response.status, 504);
    assert.equal(body.error.code, 'DEADLINE_EXCEEDED');
    assert.match(body.error.message, /masking the prompt took longer/);
    assert.equal(stub.requests.length, before, 'no provider was called');

    // The pool thread stopped for the deadline is replaced: the next large prompt is masked.
    const next = await generate(buildLargePromptBody(64 * 1024));
    assert.equal(next.status, 200);
    // The replacement runs nicer too: one thread at +10 still, the stopped one gone.
    const nice = existsSync('/proc/self/task') ? await threadNiceValues(service.child.pid!) : [];
    if (nice.length > 0)
      assert.deepEqual(
        nice.filter(({ value }) => value !== 0).map(({ value }) => value),
        [10],
      );
  });
});

/** Each thread of a process and its nice value (field 19 of /proc/<pid>/task/<tid>/stat, proc(5)). */
async function threadNiceValues(pid: number): Promise<Array<{ tid: number; value: number }>> {
  const tids = await readdir(`/proc/${pid}/task`);
  return Promise.all(
    tids.map(async (tid) => {
      const stat = await readFile(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      // The command name is in parentheses and may hold spaces: fields are counted after it.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return { tid: Number(tid), value: Number(fields[16]) };
    }),
  );
}
