/**
 * The LLM gateway's domain types, in one place: what a generation asks for, what it answers,
 * and what a route is. Every part of src/generation (PII, providers, gateway) speaks these;
 * none of them imports the HTTP wire schemas (src/routes/*-schemas.ts), which map requests
 * and responses onto these types. This module imports nothing, so it can never be part of
 * an import cycle.
 */

/** The kinds of value the gateway masks; `FIELD` is a value Apex marked as PII by field. */
export const PII_TYPES = ['FIELD', 'EMAIL', 'PHONE', 'CARD', 'IBAN', 'SSN', 'IP'] as const;
export type PiiType = (typeof PII_TYPES)[number];

/** A value Apex marks as PII, by the field it came from. */
export interface PiiValue {
  field: string;
  value: string;
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** How many distinct values of each type were masked. */
export interface MaskingReport {
  total: number;
  byType: Partial<Record<PiiType, number>>;
}

export const PROVIDER_KINDS = [
  'openai',
  'anthropic',
  'azure',
  'vertex',
  'bedrock',
  'mistral',
  'openai-compatible',
] as const;
export type ProviderKind = (typeof PROVIDER_KINDS)[number];

/** One provider + model a route can call (docs/llm-gateway.md, "Target fields"). */
export interface RouteTarget {
  provider: ProviderKind;
  model: string;
  name?: string | undefined;
  baseUrl?: string | undefined;
  region?: string | undefined;
  apiKeyEnv?: string | undefined;
  timeoutMs?: number | undefined;
  pricePer1K: { input: number; output: number };
}

/** When a target's circuit opens and for how long (docs/llm-gateway.md, "Circuit breakers"). */
export interface BreakerSettings {
  /** Failures in a row that open the circuit. */
  consecutiveFailures: number;
  /** Share of calls (0–1) failing over `windowMs` that opens it; 1 turns the rate check off. */
  failureRate: number;
  windowMs: number;
  /** Calls needed in the window before the rate counts. */
  minimumRequests: number;
  /** How long an open circuit skips the target before one probe is let through. */
  cooldownMs: number;
}

/** The limits one scope gets (docs/llm-gateway.md, "Budgets and rate limits"). */
export interface LimitSet {
  requestsPerMinute?: number | undefined;
  tokensPerDay?: number | undefined;
  tokensPerMonth?: number | undefined;
  costPerDayUsd?: number | undefined;
  costPerMonthUsd?: number | undefined;
}
export type LimitName = keyof LimitSet;
export type LimitScope = 'total' | 'key' | 'org' | 'user';

/** Limits of a route (or, at the top of the routes file, across every route), by scope. */
export interface Limits {
  /** Everything the limits cover, whoever calls. */
  total?: LimitSet | undefined;
  /** Each service key. */
  perKey?: LimitSet | undefined;
  /** Each Salesforce org id the caller sends. */
  perOrg?: LimitSet | undefined;
  /** Each user id the caller sends. */
  perUser?: LimitSet | undefined;
}

/** Who is calling: the service key's id (never the key) and the org and user ids Apex sends. */
export interface Caller {
  keyId?: string | undefined;
  orgId?: string | undefined;
  userId?: string | undefined;
}

/** A named route: its targets in the order they are tried, with their limits (docs/llm-gateway.md, "Route fields"). */
export interface Route {
  name: string;
  description?: string | undefined;
  targets: RouteTarget[];
  timeoutMs: number;
  maxTokens: number;
  maxChars: number;
  retries: number;
  backoffMs: number;
  /** One circuit per target; `false` turns them off for this route. */
  breaker: BreakerSettings | false;
  limits?: Limits | undefined;
}

/** Heroku's router gives up after 30 s; the gateway answers before that, whatever the caller asks for. */
export const MAX_DEADLINE_MS = 25_000;

export const ATTEMPT_OUTCOMES = [
  'ok',
  'timeout',
  'rate_limited',
  'server_error',
  'network_error',
  'client_error',
  'invalid_response',
  'deadline',
  'circuit_open',
] as const;
export type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];

/** A target's circuit when an attempt met it: `half_open` means the attempt was the probe. */
export const CIRCUIT_POSITIONS = ['closed', 'half_open', 'open'] as const;
export type CircuitPosition = (typeof CIRCUIT_POSITIONS)[number];

/** One call to one target, as reported in responses, logs and metrics. */
export interface AttemptRecord {
  provider: string;
  model: string;
  region?: string;
  outcome: AttemptOutcome;
  status: number | null;
  latencyMs: number;
  message?: string;
  /** Absent when the route has circuit breakers turned off. */
  circuit?: CircuitPosition;
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  /**
   * `provider`: as the provider reported it. `estimate`: the provider reported none, so these are
   * the upper bound the budgets reserved (never 0).
   */
  source: 'provider' | 'estimate';
}

export interface Cost {
  input: number;
  output: number;
  total: number;
  currency: 'USD';
  /** As for usage: `estimate` when it is priced from the reserved upper bound. */
  source: 'provider' | 'estimate';
}

/** One more answer of an `n` > 1 request. */
export interface ExtraAnswer {
  text: string;
  json?: unknown;
  finishReason: string;
}

export interface GenerationTiming {
  latencyMs: number;
  /** latencyMs minus the time spent waiting on providers. */
  gatewayMs: number;
  providerMs: number;
}

/** How the model samples its answer; each goes to the provider under the AI SDK's name for it. */
export interface SamplingSettings {
  temperature?: number;
  topP?: number;
  topK?: number;
  seed?: number;
  frequencyPenalty?: number;
  presencePenalty?: number;
}

/** What the two generation APIs ask the gateway for, once their wire format is mapped. */
export interface GenerationInput {
  /** Which API the request came through, for logs. */
  api: 'generate' | 'chat.completions';
  route: string;
  messages: ChatMessage[];
  pii: PiiValue[];
  options: SamplingSettings & {
    maxTokens?: number;
    maxChars?: number;
    stop?: string[];
    /** JSON output; with a JSON Schema the answer must satisfy. */
    json?: { schema?: Record<string, unknown> };
    /** Answers wanted (chat `n`); more than one only where every target of the route can give them. */
    n?: number;
    /**
     * Parameters with no gateway meaning (the Open Connector's `parameters`), sent as they are
     * to providers that take raw request fields, and reported as not forwarded to the others.
     */
    rawFields?: Record<string, unknown>;
  };
  /** What the API layer already knows it does not forward, reported with the answer. */
  warnings?: string[];
  /** How long the caller waits, from `arrivedAt`; capped at 25 s. */
  deadlineMs?: number;
  /** When the request arrived, on the performance.now() clock. */
  arrivedAt: number;
  /** Aborts provider calls when the caller goes away. */
  signal?: AbortSignal;
  requestId?: string;
  caller: Caller;
  metadata?: { template?: string; templateVersion?: number; recordId?: string };
}

export interface GenerationResult extends GenerationTiming {
  route: string;
  provider: string;
  model: string;
  region?: string;
  text: string;
  json?: unknown;
  finishReason: string;
  attempts: AttemptRecord[];
  usage: Usage;
  cost: Cost;
  masked: MaskingReport;
  /** Answers after the first when `n` > 1 asked for several. */
  extraAnswers: ExtraAnswer[];
  /** What was not forwarded or not honoured: parameters, the max_tokens cap, provider warnings, missing usage. */
  warnings: string[];
}

/** What a streamed generation sends: restored text as it comes, then the whole result or a failure. */
export type StreamEvent =
  | { type: 'text'; text: string }
  | { type: 'done'; result: GenerationResult }
  | { type: 'failed'; status: number; code: string; message: string };

/** How a request ended, for metrics and the log line. */
export type RequestOutcome =
  | 'ok'
  | 'route_not_found'
  | 'masking_failed'
  | 'providers_failed'
  | 'deadline_exceeded'
  | 'output_rejected'
  | 'budget_exceeded'
  | 'rate_limited'
  | 'limits_unavailable'
  | 'stream_interrupted';
