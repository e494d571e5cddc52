import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { MAX_DEADLINE_MS, PROVIDER_KINDS } from '../domain.ts';
import type { BreakerSettings, LimitSet, Limits, Route, RouteTarget } from '../domain.ts';
import { credentialProblems } from '../providers/provider-catalog.ts';

/**
 * The routes file named by BYOM_ROUTES: which LLMs a route name stands for, in the order
 * they are tried, with their limits and prices. It is read and validated once at boot; a
 * mistake stops the boot with the file, the field and what is wrong (docs/llm-gateway.md).
 */

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const LABEL = /^[a-z0-9][a-z0-9._-]*$/i;

const RouteTargetSchema = z.strictObject({
  provider: z.enum(PROVIDER_KINDS),
  model: z.string().min(1).max(200),
  name: z
    .string()
    .max(60)
    .regex(LABEL, 'letters, digits, ".", "_" and "-" only')
    .optional()
    .describe('How the target is reported in responses, logs and metrics; the provider by default.'),
  baseUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  region: z.string().min(1).max(40).regex(LABEL, 'letters, digits, ".", "_" and "-" only').optional(),
  apiKeyEnv: z.string().regex(ENV_NAME, 'must be an environment variable name').optional(),
  timeoutMs: z.number().int().min(100).max(MAX_DEADLINE_MS).optional(),
  pricePer1K: z.strictObject({
    input: z.number().min(0),
    output: z.number().min(0),
  }),
}) satisfies z.ZodType<RouteTarget>;

const BreakerSchema = z.strictObject({
  consecutiveFailures: z.number().int().min(1).max(1000).default(5),
  failureRate: z.number().gt(0).max(1).default(0.5),
  windowMs: z.number().int().min(1000).max(3_600_000).default(60_000),
  minimumRequests: z.number().int().min(1).max(100_000).default(10),
  cooldownMs: z.number().int().min(100).max(3_600_000).default(30_000),
}) satisfies z.ZodType<BreakerSettings>;

const positive = z.number().positive();
const LimitSetSchema = z
  .strictObject({
    requestsPerMinute: positive.int().optional(),
    tokensPerDay: positive.int().optional(),
    tokensPerMonth: positive.int().optional(),
    costPerDayUsd: positive.optional(),
    costPerMonthUsd: positive.optional(),
  })
  .refine((set) => Object.keys(set).length > 0, 'set at least one limit') satisfies z.ZodType<LimitSet>;

const LimitsSchema = z
  .strictObject({
    total: LimitSetSchema.optional(),
    perKey: LimitSetSchema.optional(),
    perOrg: LimitSetSchema.optional(),
    perUser: LimitSetSchema.optional(),
  })
  .refine(
    (limits) => Object.keys(limits).length > 0,
    'set at least one of total, perKey, perOrg, perUser',
  ) satisfies z.ZodType<Limits>;

const RouteSchema = z.strictObject({
  description: z.string().max(500).optional(),
  targets: z.array(RouteTargetSchema).min(1, 'a route needs at least one target').max(10),
  timeoutMs: z.number().int().min(100).max(MAX_DEADLINE_MS).default(10_000),
  maxTokens: z.number().int().min(1).max(32_000).default(1024),
  maxChars: z.number().int().min(1).max(1_000_000).default(20_000),
  retries: z.number().int().min(0).max(5).default(1),
  backoffMs: z.number().int().min(0).max(10_000).default(250),
  breaker: z.union([z.literal(false), BreakerSchema]).default(BreakerSchema.parse({})),
  limits: LimitsSchema.optional(),
}) satisfies z.ZodType<Omit<Route, 'name'>>;

const RoutesFileSchema = z.strictObject({
  $schema: z.string().optional(),
  /** Limits across every route. */
  limits: LimitsSchema.optional(),
  routes: z
    .record(z.string().regex(LABEL, 'route names use letters, digits, ".", "_" and "-" only').max(100), RouteSchema)
    .refine((routes) => Object.keys(routes).length > 0, 'define at least one route'),
});

export class RoutesConfigError extends Error {
  override name = 'RoutesConfigError';
}

/** The validated routes, by name. */
export class RouteTable {
  private readonly routes: Map<string, Route>;
  /** The routes file's top-level limits, across every route. */
  readonly limits: Limits | undefined;

  constructor(routes: Route[], limits?: Limits) {
    this.routes = new Map(routes.map((route) => [route.name, route]));
    this.limits = limits;
  }

  /** Whether any limit is configured, at the top or on a route. */
  hasLimits(): boolean {
    return this.limits !== undefined || this.all().some((route) => route.limits !== undefined);
  }

  get(name: string): Route | undefined {
    return this.routes.get(name);
  }

  names(): string[] {
    return [...this.routes.keys()];
  }

  all(): Route[] {
    return [...this.routes.values()];
  }

  /** Every route's targets, once each. */
  targets(): RouteTarget[] {
    return this.all().flatMap((route) => route.targets);
  }
}

/** How a target is named in responses, logs and metrics. */
export function targetLabel(target: RouteTarget): string {
  return target.name ?? target.provider;
}

/**
 * Reads, parses and validates a routes file, and checks that the environment holds the
 * credentials every target needs. All problems are reported at once.
 */
export function loadRoutesFile(file: string, env: Record<string, string | undefined> = process.env): RouteTable {
  const where = `BYOM_ROUTES=${file}`;
  let text: string;
  try {
    text = readFileSync(path.resolve(file), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new RoutesConfigError(
      `${where}: cannot read the routes file (${code === 'ENOENT' ? 'no such file' : ((error as Error).message ?? code)}); ` +
        `paths are relative to ${process.cwd()}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new RoutesConfigError(`${where}: not valid JSON: ${(error as Error).message}`);
  }
  return parseRoutes(json, where, env);
}

/** Validates routes already parsed from JSON; `where` names the source in error messages. */
export function parseRoutes(json: unknown, where: string, env: Record<string, string | undefined>): RouteTable {
  const parsed = RoutesFileSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${formatPath(issue.path)}: ${issue.message}`);
    throw new RoutesConfigError(`${where}: invalid routes file:\n${problems.join('\n')}`);
  }
  const routes = Object.entries(parsed.data.routes).map(([name, route]) => ({ ...route, name }));
  const problems: string[] = [];
  for (const route of routes) {
    route.targets.forEach((target, i) => {
      const at = `routes.${route.name}.targets[${i}]`;
      if (target.provider === 'openai-compatible' && target.baseUrl === undefined) {
        problems.push(`  ${at}.baseUrl: required for provider "openai-compatible" (e.g. http://localhost:11434/v1)`);
      }
      for (const problem of credentialProblems(target, env)) {
        problems.push(`  ${at} (${target.provider} ${target.model}): ${problem}`);
      }
    });
  }
  if (problems.length > 0) throw new RoutesConfigError(`${where}: invalid routes file:\n${problems.join('\n')}`);
  return new RouteTable(routes, parsed.data.limits);
}

/** ["routes", "insights", "targets", 0, "provider"] → routes.insights.targets[0].provider */
function formatPath(segments: PropertyKey[]): string {
  if (segments.length === 0) return '(top level)';
  return segments
    .map((segment, i) => (typeof segment === 'number' ? `[${segment}]` : `${i > 0 ? '.' : ''}${String(segment)}`))
    .join('');
}
