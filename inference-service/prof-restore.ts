import { maskRequest } from './src/generation/pii/masking.ts';
import { PlaceholderVault } from './src/generation/pii/placeholder-vault.ts';
import { buildLargePromptBody } from './bench/llm-request-bodies.ts';
const body = buildLargePromptBody(256 * 1024) as { messages: Array<{ role: string; content: string }>; pii: Array<{ field: string; value: string }> };
for (let i = 0; i < 3; i++) {
  const t0 = performance.now();
  const masked = maskRequest({ messages: body.messages as never, pii: body.pii } as never) as never as { messages: Array<{ content: string }>; vault: never };
  const t1 = performance.now();
  const vault = PlaceholderVault.fromSnapshot(masked.vault);
  const t2 = performance.now();
  const answer = masked.messages.map((m) => m.content).join('\n');
  vault.restore(answer);
  const t3 = performance.now();
  console.log(`mask ${(t1 - t0).toFixed(1)} ms, fromSnapshot ${(t2 - t1).toFixed(1)} ms, restore ${(t3 - t2).toFixed(1)} ms of ${answer.length} chars`);
}
