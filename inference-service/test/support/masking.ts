import type { PiiValue } from '../../src/generation/domain.ts';
import { maskRequest } from '../../src/generation/pii/masking.ts';
import { PlaceholderVault } from '../../src/generation/pii/placeholder-vault.ts';

/** Masks messages as the gateway does and hands back a live vault, for tests that restore. */
export function maskMessages<M extends { content: string }>(
  messages: M[],
  pii: PiiValue[],
): { messages: M[]; vault: PlaceholderVault } {
  const masked = maskRequest({ messages, pii });
  return { messages: masked.messages, vault: PlaceholderVault.fromSnapshot(masked.vault) };
}
