import path from 'node:path';
import { z } from 'zod';
import { DevKeyError, loadDevKey } from './startup/dev-key.ts';
import type { DevKey } from './startup/dev-key.ts';

/**
 * Service configuration, read once from the environment at boot. Every variable is
 * documented in docs/operations.md; a bad value stops the boot with a message naming it.
 */

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  // No default here: it depends on NODE_ENV (loadConfig).
  HOST: z.string().min(1).optional(),
  BYOM_API_KEYS: z.string().optional(),
  BYOM_UNSIGNED_KEYS: z.string().optional(),
  BYOM_DEV_KEY_FILE: z.string().min(1).optional(),
  BYOM_PUBLIC_DOCS: z.enum(['true', 'false']).optional(),
  BYOM_SIGNING_SECRET: z.string().optional(),
  BYOM_SIGNATURE_TOLERANCE_SECONDS: positiveInt(300),
  MODEL_DIR: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  MAX_RECORDS_PER_REQUEST: positiveInt(1000),
  MAX_BODY_BYTES: positiveInt(10 * 1024 * 1024),
  MAX_BYTES_IN_FLIGHT: positiveInt(8 * 1024 * 1024),
  MAX_QUEUED_ROWS: positiveInt(200_000),
  HEADERS_TIMEOUT_MS: positiveInt(10_000),
  REQUEST_TIMEOUT_MS: positiveInt(30_000),
  MAX_CONNECTIONS: positiveInt(1024),
  SHUTDOWN_TIMEOUT_MS: positiveInt(25_000),
  ORT_INTRA_OP_THREADS: positiveInt(1),
  WORKER_THREADS: z.coerce.number().int().min(0).max(16).default(1),
  // Empty means unset, so `heroku config:set BYOM_ROUTES=` turns the gateway off.
  BYOM_ROUTES: z
    .string()
    .optional()
    .transform((value) => value?.trim() || undefined),
  // Where budgets and rate limits are counted when several dynos share them.
  REDIS_URL: z
    .string()
    .optional()
    .transform((value) => value?.trim() || undefined)
    .pipe(z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }).optional()),
  REDIS_TLS_VERIFY: z.enum(['true', 'false']).default('true'),
});

/** A key shorter than this is too easy to guess; the External Credential can hold far longer ones. */
export const MIN_API_KEY_LENGTH = 16;
/** Signing secrets key an HMAC; shorter than 32 characters they add little over the service key. */
export const MIN_SIGNING_SECRET_LENGTH = 32;

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  apiKeys: string[];
  /** Keys for OpenAI-compatible clients that cannot sign: POST /v1/chat/completions only, no signature asked. */
  unsignedKeys: string[];
  /** True when no BYOM_API_KEYS was set outside production and the development key is used. */
  apiKeyGenerated: boolean;
  /** Where the development key is saved, when it is in use (and could be saved). */
  devKeyFile?: string;
  /** Why the development key could not be saved, when it could not. */
  devKeyNotSaved?: string;
  /** /docs and /openapi.json answer without the key (development, unless BYOM_PUBLIC_DOCS=false). */
  publicDocs: boolean;
  /** Secrets for the X-BYOM-Signature body HMAC; empty when signing is not required. */
  signingSecrets: string[];
  signatureToleranceSeconds: number;
  modelDirs: string[];
  logLevel: z.infer<typeof EnvSchema>['LOG_LEVEL'];
  maxRecordsPerRequest: number;
  maxBodyBytes: number;
  /** Admission control: request body bytes served at once, and rows waiting for inference per model. */
  maxBytesInFlight: number;
  maxQueuedRows: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  maxConnections: number;
  shutdownTimeoutMs: number;
  ortIntraOpThreads: number;
  /** Worker threads for large inference batches and large prompts' masking; 0 keeps them on the main thread. */
  workerThreads: number;
  /** The LLM routes file (docs/llm-gateway.md); without it the generation endpoints answer ROUTE_NOT_FOUND. */
  routesFile: string | undefined;
  /** Budgets and rate limits in Redis (shared by every replica); in memory when unset. */
  redisUrl: string | undefined;
  /** Whether a rediss:// server's certificate is verified (Heroku Key-Value Store's is self-signed). */
  redisTlsVerify: boolean;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** The models that ship with the service; MODEL_DIR adds a directory of the operator's own. */
export const BUNDLED_MODEL_DIR = new URL('../models/', import.meta.url).pathname;

/**
 * The default HOST: loopback outside production, so the development key reaches this machine
 * only; every interface in production (Heroku, containers), where the router connects.
 */
export const DEVELOPMENT_HOST = '127.0.0.1';
export const PRODUCTION_HOST = '0.0.0.0';

export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  devKey: (file: string | undefined) => DevKey = loadDevKey,
): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`invalid configuration in the environment:\n${problems.join('\n')}`);
  }
  const vars = parsed.data;

  const apiKeys = serviceKeys('BYOM_API_KEYS', vars.BYOM_API_KEYS);
  const unsignedKeys = serviceKeys('BYOM_UNSIGNED_KEYS', vars.BYOM_UNSIGNED_KEYS);
  if (unsignedKeys.some((key) => apiKeys.includes(key))) {
    throw new ConfigError(
      'BYOM_UNSIGNED_KEYS: a key is also in BYOM_API_KEYS; give OpenAI-compatible clients a key of their own',
    );
  }
  const signingSecrets = splitList(vars.BYOM_SIGNING_SECRET);
  const shortSecret = signingSecrets.find((secret) => secret.length < MIN_SIGNING_SECRET_LENGTH);
  if (shortSecret !== undefined) {
    throw new ConfigError(
      `BYOM_SIGNING_SECRET: every secret must be at least ${MIN_SIGNING_SECRET_LENGTH} characters (one is ${shortSecret.length}); ` +
        'generate one with: openssl rand -hex 32',
    );
  }
  const production = vars.NODE_ENV === 'production';
  let dev: DevKey | undefined;
  if (apiKeys.length === 0) {
    if (production) {
      throw new ConfigError(
        'BYOM_API_KEYS is required when NODE_ENV=production: set one or more comma-separated keys ' +
          '(heroku config:set BYOM_API_KEYS=$(openssl rand -base64 32)) and put the same key in the External Credential',
      );
    }
    try {
      dev = devKey(vars.BYOM_DEV_KEY_FILE);
    } catch (error) {
      if (error instanceof DevKeyError) throw new ConfigError(error.message);
      throw error;
    }
    apiKeys.push(dev.key);
  }
  if (vars.HEADERS_TIMEOUT_MS > vars.REQUEST_TIMEOUT_MS) {
    throw new ConfigError(
      `HEADERS_TIMEOUT_MS (${vars.HEADERS_TIMEOUT_MS}) must not exceed REQUEST_TIMEOUT_MS (${vars.REQUEST_TIMEOUT_MS}): the headers are part of the request`,
    );
  }

  return {
    env: vars.NODE_ENV,
    port: vars.PORT,
    host: vars.HOST ?? (production ? PRODUCTION_HOST : DEVELOPMENT_HOST),
    apiKeys,
    unsignedKeys,
    apiKeyGenerated: dev !== undefined,
    ...(dev?.file ? { devKeyFile: dev.file } : {}),
    ...(dev?.notSaved ? { devKeyNotSaved: dev.notSaved } : {}),
    publicDocs: vars.BYOM_PUBLIC_DOCS === undefined ? !production : vars.BYOM_PUBLIC_DOCS === 'true',
    signingSecrets,
    signatureToleranceSeconds: vars.BYOM_SIGNATURE_TOLERANCE_SECONDS,
    modelDirs: vars.MODEL_DIR ? [BUNDLED_MODEL_DIR, resolveFromCaller(vars.MODEL_DIR, env)] : [BUNDLED_MODEL_DIR],
    logLevel: vars.LOG_LEVEL,
    maxRecordsPerRequest: vars.MAX_RECORDS_PER_REQUEST,
    maxBodyBytes: vars.MAX_BODY_BYTES,
    maxBytesInFlight: vars.MAX_BYTES_IN_FLIGHT,
    maxQueuedRows: vars.MAX_QUEUED_ROWS,
    headersTimeoutMs: vars.HEADERS_TIMEOUT_MS,
    requestTimeoutMs: vars.REQUEST_TIMEOUT_MS,
    maxConnections: vars.MAX_CONNECTIONS,
    shutdownTimeoutMs: vars.SHUTDOWN_TIMEOUT_MS,
    ortIntraOpThreads: vars.ORT_INTRA_OP_THREADS,
    workerThreads: vars.WORKER_THREADS,
    routesFile: vars.BYOM_ROUTES,
    redisUrl: vars.REDIS_URL,
    redisTlsVerify: vars.REDIS_TLS_VERIFY === 'true',
  };
}

/** The keys of a comma-separated key variable, each long enough not to be guessed. */
function serviceKeys(variable: string, value: string | undefined): string[] {
  const keys = splitList(value);
  const short = keys.find((key) => key.length < MIN_API_KEY_LENGTH);
  if (short !== undefined) {
    throw new ConfigError(
      `${variable}: every key must be at least ${MIN_API_KEY_LENGTH} characters (one is ${short.length}); ` +
        'generate one with: openssl rand -base64 32',
    );
  }
  return keys;
}

/**
 * A relative path as the person who typed it meant it: `npm start` runs the service in
 * inference-service/, so `MODEL_DIR=my-models npm start` from the repository root means the
 * root's my-models. npm passes the directory it was started in as INIT_CWD.
 */
export function resolveFromCaller(file: string, env: Record<string, string | undefined> = process.env): string {
  return path.resolve(env.INIT_CWD ?? process.cwd(), file);
}

/** "a, b,," → ["a", "b"]: comma-separated lists allow rotation (old and new side by side). */
function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}
