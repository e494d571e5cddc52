import type { StubLlmProvider } from '../../../support/stub-llm-provider.ts';
import type { CorpusCase } from './masking-corpus.ts';

/**
 * Sends corpus cases through a running service and judges what the stub provider received:
 * a secret is caught when every character of it reached the provider inside a placeholder,
 * a benign case is kept when its text reached the provider unchanged, and every answer (the
 * stub's echo) must come back restored byte for byte.
 */

export type Endpoint = '/v1/generate' | '/v1/chat/completions';

export interface CaseResult {
  id: string;
  kind: string;
  endpoint: Endpoint;
  pii: boolean;
  status: number;
  /** PII cases: every secret fully inside placeholders (or the request refused, so nothing was sent). */
  caught: boolean;
  /** Benign cases: the text reached the provider exactly as written. */
  kept: boolean;
  /** The answer equals the echo of the original text. */
  restored: boolean;
}

export interface Service {
  baseUrl: string;
  key: string;
  route: string;
  stub: StubLlmProvider;
}

/** Whether /v1/generate can carry the case (it has no stop sequences). */
export function appliesTo(c: CorpusCase, endpoint: Endpoint): boolean {
  return endpoint === '/v1/chat/completions' || c.stop === undefined;
}

export async function runCase(service: Service, c: CorpusCase, endpoint: Endpoint): Promise<CaseResult> {
  const before = service.stub.requests.length;
  const body =
    endpoint === '/v1/generate'
      ? { route: service.route, messages: [{ role: 'user', content: c.text }], pii: c.pii ?? [] }
      : {
          model: service.route,
          messages: [{ role: 'user', content: c.text }],
          pii: c.pii ?? [],
          ...(c.stop !== undefined ? { stop: [c.stop] } : {}),
        };
  const response = await fetch(`${service.baseUrl}${endpoint}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${service.key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as { text?: string; choices?: Array<{ message: { content: string } }> };
  const answer = endpoint === '/v1/generate' ? json.text : json.choices?.[0]?.message.content;
  const sent = service.stub.requests.slice(before).at(-1)?.body;
  const lastUser = sent?.messages?.findLast((m) => m.role === 'user')?.content;
  const content = typeof lastUser === 'string' ? lastUser : Array.isArray(lastUser) ? textOfParts(lastUser) : undefined;
  const stop = Array.isArray(sent?.stop)
    ? (sent.stop as string[])[0]
    : typeof sent?.stop === 'string'
      ? sent.stop
      : undefined;

  const isPii = c.secrets.length > 0;
  let caught = false;
  let kept = false;
  if (sent === undefined) {
    // Refused before any provider saw it: nothing leaked, nothing kept.
    caught = isPii;
  } else if (isPii) {
    caught = c.secrets.every((secret) =>
      c.stop !== undefined && c.stop.includes(secret)
        ? stop !== undefined && masks(c.stop, stop, secret)
        : content !== undefined && masks(c.text, content, secret),
    );
  } else {
    kept = content === c.text && (c.stop === undefined || stop === c.stop);
  }
  return {
    id: c.id,
    kind: c.kind,
    endpoint,
    pii: isPii,
    status: response.status,
    caught,
    kept,
    restored: response.status === 200 && answer === `Echo: ${c.text}`,
  };
}

function textOfParts(parts: unknown[]): string {
  return parts.map((part) => (part as { text?: string }).text ?? '').join('');
}

const PLACEHOLDER = /\[[A-Z][A-Z0-9_]*_\d+\]/g;

/**
 * Whether `received` is `original` with `secret` wholly inside replaced (masked) regions.
 * The text between placeholders must be copied from the original in order; the regions
 * between those copies are what the placeholders stand for.
 */
export function masks(original: string, received: string, secret: string): boolean {
  if (received.includes(secret)) return false;
  const pieces = received.split(PLACEHOLDER);
  if (pieces.length === 1) return false;
  const escaped = pieces.map((piece) => piece.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const alignment = new RegExp(`^${escaped.join('([\\s\\S]+?)')}$`, 'd').exec(original);
  if (alignment === null) return false;
  const regions = alignment.indices!.slice(1) as Array<[number, number]>;
  const at = original.indexOf(secret);
  return regions.some(([start, end]) => start <= at && at + secret.length <= end);
}

export interface Summary {
  piiCases: number;
  caught: number;
  benignCases: number;
  kept: number;
  recall: number;
  benignKept: number;
  missed: string[];
  damaged: string[];
  notRestored: string[];
}

export function summarise(results: CaseResult[]): Summary {
  const pii = results.filter((r) => r.pii);
  const benign = results.filter((r) => !r.pii);
  const caught = pii.filter((r) => r.caught).length;
  const kept = benign.filter((r) => r.kept).length;
  return {
    piiCases: pii.length,
    caught,
    benignCases: benign.length,
    kept,
    recall: pii.length === 0 ? 1 : caught / pii.length,
    benignKept: benign.length === 0 ? 1 : kept / benign.length,
    missed: pii.filter((r) => !r.caught).map((r) => r.id),
    damaged: benign.filter((r) => !r.kept).map((r) => r.id),
    notRestored: results.filter((r) => !r.restored).map((r) => `${r.id} (HTTP ${r.status})`),
  };
}

export function percent(ratio: number): string {
  return `${(Math.floor(ratio * 1000) / 10).toFixed(1)} %`;
}
