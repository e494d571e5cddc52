import { Marked } from 'marked';
import { HEALTH_PATHS } from '../routes/health-routes.ts';

/**
 * A self-contained HTML reference rendered from the OpenAPI document: no scripts and no CDN,
 * so it works on locked-down networks and cannot drift from the schemas the routes validate
 * with. Schemas are drawn inline (a `$ref` is followed, and named), descriptions are
 * rendered as the CommonMark OpenAPI says they are, and every operation shows its example.
 */

export interface SchemaObject {
  $ref?: string;
  type?: string;
  format?: string;
  description?: string;
  properties?: Record<string, SchemaObject>;
  required?: string[];
  items?: SchemaObject;
  additionalProperties?: boolean | SchemaObject;
  enum?: unknown[];
  nullable?: boolean;
  default?: unknown;
  example?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  oneOf?: SchemaObject[];
  anyOf?: SchemaObject[];
  allOf?: SchemaObject[];
}

interface MediaType {
  schema?: SchemaObject;
  example?: unknown;
}

export interface Operation {
  summary?: string;
  description?: string;
  operationId?: string;
  security?: unknown[];
  parameters?: Array<{ name: string; in: string; required?: boolean; description?: string; schema?: SchemaObject }>;
  requestBody?: { content?: Record<string, MediaType> };
  responses?: Record<string, { description?: string; content?: Record<string, MediaType> }>;
}

export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description?: string };
  paths?: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, SchemaObject> };
}

const PUBLIC_PATHS = Object.values(HEALTH_PATHS);

/** CommonMark with raw HTML shown as text: descriptions are ours, but the page never runs markup from a schema. */
const markdown = new Marked({ renderer: { html: ({ text }) => escape(text) } });

/** The groups of the page, in order; an operation goes to the first whose test matches its path. */
const GROUPS: Array<{ title: string; matches: (path: string) => boolean }> = [
  {
    title: 'Operations: health, readiness, metrics',
    matches: (p) => PUBLIC_PATHS.includes(p as never) || p === '/metrics',
  },
  { title: 'Scoring and model cards', matches: (p) => p.startsWith('/v1/score') || p.startsWith('/v1/models') },
  { title: 'Open Inference Protocol v2', matches: (p) => p.startsWith('/v2') },
  { title: 'LLM gateway', matches: () => true },
];

export function renderApiDocsPage(document: OpenApiDocument): string {
  const schemas = document.components?.schemas ?? {};
  const operations = Object.entries(document.paths ?? {}).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ path, method: method.toUpperCase(), operation })),
  );
  const groups = GROUPS.map((group) => ({ title: group.title, operations: [] as typeof operations }));
  for (const entry of operations) groups[GROUPS.findIndex((g) => g.matches(entry.path))]!.operations.push(entry);
  const shown = groups.filter((group) => group.operations.length > 0);

  const contents = shown
    .map(
      (group) =>
        `<li>${escape(group.title)}<ul>${group.operations
          .map(
            ({ path, method, operation }) =>
              `<li><a href="#${anchor(operation, path)}"><span class="method">${method}</span> <code>${escape(path)}</code></a> ${escape(operation.summary ?? '')}</li>`,
          )
          .join('')}</ul></li>`,
    )
    .join('');
  const body = shown
    .map(
      (group) =>
        `<h2>${escape(group.title)}</h2>\n${group.operations
          .map(({ path, method, operation }) => operationHtml(path, method, operation, schemas))
          .join('\n')}`,
    )
    .join('\n');

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(document.info.title)}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:62rem;margin:2rem auto;padding:0 1rem;color:#181818;line-height:1.45}
a{color:#0b5cab}code,pre{font-family:ui-monospace,monospace}pre{background:#f3f3f3;padding:.75rem;overflow:auto;border-radius:4px}
.method{display:inline-block;min-width:3.5rem;font-size:.8rem;background:#0b5cab;color:#fff;border-radius:3px;padding:.1rem .4rem;text-align:center}
.open{font-size:.8rem;background:#e3f3e8;color:#194e31;border-radius:3px;padding:.1rem .4rem}
section{border-top:1px solid #ddd;padding:.5rem 0 1rem}
.schema,.schema ul{list-style:none;padding-left:1.1rem;margin:.25rem 0}.schema{padding-left:0}
.schema li{margin:.2rem 0}.type{color:#3e3e3c;font-size:.85rem}.req{color:#8c4b02;font-size:.8rem}
.schema-name{font-size:.8rem;color:#3e3e3c}.facts{font-size:.85rem;color:#3e3e3c}
h3{margin-bottom:.25rem}h4{margin:.75rem 0 .25rem}.desc p{margin:.25rem 0}
</style>
</head>
<body>
<h1>${escape(document.info.title)} <small>${escape(document.info.version)}</small></h1>
${markdown.parse(document.info.description ?? '', { async: false })}
<p>Every route except ${PUBLIC_PATHS.map((p) => `<code>${p}</code>`).join(', ')} needs the service key:
<code>Authorization: Bearer &lt;key&gt;</code>, <code>X-API-Key: &lt;key&gt;</code> or <code>api-key: &lt;key&gt;</code>.
Errors are <code>{"error": {"code", "message", "requestId"}}</code> with stable codes. The machine-readable
document (OpenAPI ${escape(document.openapi)}, importable as a Salesforce External Service) is
<a href="openapi.json"><code>/openapi.json</code></a>.</p>
<nav aria-label="Operations"><h2>Contents</h2><ul>${contents}<li><a href="#errors">Errors</a></li></ul></nav>
${body}
<h2 id="errors">Errors</h2>
<p>Every error, on every route, has this shape; <code>code</code> is stable and safe to match on.</p>
${schemas.Error ? schemaHtml({ $ref: '#/components/schemas/Error' }, schemas) : ''}
</body>
</html>`;
}

function operationHtml(
  path: string,
  method: string,
  operation: Operation,
  schemas: Record<string, SchemaObject>,
): string {
  const parts: string[] = [
    `<section id="${anchor(operation, path)}">`,
    `<h3><span class="method">${method}</span> <code>${escape(path)}</code>${operation.security?.length === 0 ? ' <span class="open">no key needed</span>' : ''}</h3>`,
    `<div class="desc">${markdown.parse(operation.summary ?? '', { async: false })}${operation.description ? markdown.parse(operation.description, { async: false }) : ''}</div>`,
  ];
  const parameters = operation.parameters ?? [];
  if (parameters.length > 0) {
    parts.push(
      '<h4>Parameters</h4><ul class="schema">',
      ...parameters.map(
        (p) =>
          `<li><code>${escape(p.name)}</code> <span class="type">${escape(p.in)}, ${escape(typeName(p.schema ?? {}, schemas))}</span>${p.required ? ' <span class="req">required</span>' : ''}${p.description ? ` ${inline(p.description)}` : ''}</li>`,
      ),
      '</ul>',
    );
  }
  const request = operation.requestBody?.content?.['application/json'];
  if (request?.schema) {
    parts.push(`<h4>Request body</h4>${schemaHtml(request.schema, schemas)}`);
    if (request.example !== undefined) parts.push(exampleHtml('Example request', request.example));
  }
  parts.push('<h4>Responses</h4><ul>');
  for (const [status, response] of Object.entries(operation.responses ?? {})) {
    const [type, media] = Object.entries(response.content ?? {})[0] ?? [];
    const success = status.startsWith('2');
    parts.push(
      `<li><code>${escape(status)}</code> ${inline(response.description ?? '')}${type ? ` <span class="type">(${escape(type)})</span>` : ''}`,
    );
    // Success bodies are drawn in full; every error has the one shape, drawn once under "Errors".
    if (media?.schema && success) parts.push(schemaHtml(media.schema, schemas));
    if (media?.example !== undefined) parts.push(exampleHtml(`Example ${status} response`, media.example));
    parts.push('</li>');
  }
  parts.push('</ul>', '</section>');
  return parts.join('\n');
}

function exampleHtml(title: string, example: unknown): string {
  const text = typeof example === 'string' ? example : JSON.stringify(example, null, 2);
  return `<details open><summary>${escape(title)}</summary><pre>${escape(text)}</pre></details>`;
}

/** A schema as a nested list of its properties; a `$ref` is followed (and named), a cycle is named only. */
function schemaHtml(
  schema: SchemaObject,
  schemas: Record<string, SchemaObject>,
  seen: ReadonlySet<string> = new Set(),
): string {
  const { resolved, name } = resolve(schema, schemas);
  const label = name ? ` <span class="schema-name">${escape(name)}</span>` : '';
  if (name && seen.has(name)) return `<p class="facts">${escape(name)} (as above)</p>`;
  const inner = new Set(seen);
  if (name) inner.add(name);
  const facts = factsOf(resolved);
  const head = `<p class="facts"><span class="type">${escape(typeName(resolved, schemas))}</span>${label}${facts ? ` · ${facts}` : ''}</p>${
    resolved.description ? `<div class="desc">${markdown.parse(resolved.description, { async: false })}</div>` : ''
  }`;
  return head + childrenHtml(resolved, schemas, inner);
}

function childrenHtml(schema: SchemaObject, schemas: Record<string, SchemaObject>, seen: ReadonlySet<string>): string {
  const alternatives = schema.oneOf ?? schema.anyOf;
  if (alternatives && !alternatives.every((alt) => isScalar(alt, schemas))) {
    return `<ul class="schema">${alternatives.map((alt) => `<li>one of: ${schemaHtml(alt, schemas, seen)}</li>`).join('')}</ul>`;
  }
  if (schema.allOf) return schema.allOf.map((part) => schemaHtml(part, schemas, seen)).join('');
  if (schema.type === 'array' && schema.items) {
    const { resolved } = resolve(schema.items, schemas);
    return resolved.type === 'object' || resolved.oneOf || resolved.anyOf
      ? `<ul class="schema"><li>each item: ${schemaHtml(schema.items, schemas, seen)}</li></ul>`
      : '';
  }
  const properties = Object.entries(schema.properties ?? {});
  const extra = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
  if (properties.length === 0 && !extra) return '';
  const required = new Set(schema.required ?? []);
  const items = properties.map(([key, property]) => {
    const { resolved, name } = resolve(property, schemas);
    const nested =
      resolved.type === 'object' || resolved.type === 'array' || resolved.allOf || !isScalar(resolved, schemas);
    const facts = factsOf(resolved);
    const description = property.description ?? resolved.description;
    return `<li><code>${escape(key)}</code> <span class="type">${escape(typeName(resolved, schemas))}</span>${
      name ? ` <span class="schema-name">${escape(name)}</span>` : ''
    }${required.has(key) ? ' <span class="req">required</span>' : ''}${facts ? ` <span class="facts">· ${facts}</span>` : ''}${
      description ? ` ${inline(description)}` : ''
    }${nested ? childrenHtml(resolved, schemas, name ? new Set([...seen, name]) : seen) : ''}</li>`;
  });
  if (extra) items.push(`<li><em>any other key</em>: ${schemaHtml(extra, schemas, seen)}</li>`);
  return `<ul class="schema">${items.join('')}</ul>`;
}

function resolve(
  schema: SchemaObject,
  schemas: Record<string, SchemaObject>,
): { resolved: SchemaObject; name?: string } {
  if (!schema.$ref) return { resolved: schema };
  const name = schema.$ref.replace('#/components/schemas/', '');
  return { resolved: schemas[name] ?? {}, name };
}

function typeName(schema: SchemaObject, schemas: Record<string, SchemaObject>): string {
  const { resolved } = resolve(schema, schemas);
  const nullable = resolved.nullable ? ' or null' : '';
  if (resolved.enum)
    return `${resolved.type ?? 'value'}, one of ${resolved.enum.map((v) => JSON.stringify(v)).join(', ')}${nullable}`;
  if (resolved.type === 'array' && resolved.items) return `array of ${typeName(resolved.items, schemas)}${nullable}`;
  const alternatives = resolved.oneOf ?? resolved.anyOf;
  if (alternatives?.every((alt) => isScalar(alt, schemas))) {
    // An alternative without a type, even behind a reference, is the null of a union.
    const names = alternatives.map((alt) => (resolve(alt, schemas).resolved.type ? typeName(alt, schemas) : 'null'));
    return `${names.slice(0, -1).join(', ')} or ${names.at(-1)}${nullable}`;
  }
  if (alternatives) return `one of ${alternatives.length} shapes${nullable}`;
  const base = resolved.type ?? (resolved.properties ? 'object' : 'any');
  return `${base}${resolved.format ? ` (${resolved.format})` : ''}${nullable}`;
}

/** A value without properties of its own: a number, a string, true/false, or the null of a union. */
function isScalar(schema: SchemaObject, schemas: Record<string, SchemaObject>): boolean {
  const { resolved } = resolve(schema, schemas);
  return !resolved.properties && !resolved.items && !resolved.oneOf && !resolved.anyOf && resolved.type !== 'object';
}

function factsOf(schema: SchemaObject): string {
  const facts: string[] = [];
  const range = (low: number | undefined, high: number | undefined, unit = '') => {
    if (low !== undefined && high !== undefined) facts.push(`${low}–${high}${unit}`);
    else if (low !== undefined) facts.push(`at least ${low}${unit}`);
    else if (high !== undefined) facts.push(`at most ${high}${unit}`);
  };
  range(schema.minimum, schema.maximum);
  range(schema.minLength, schema.maxLength, ' characters');
  range(schema.minItems, schema.maxItems, ' items');
  if (schema.default !== undefined) facts.push(`default ${JSON.stringify(schema.default)}`);
  if (schema.example !== undefined) facts.push(`e.g. ${JSON.stringify(schema.example)}`);
  return escape(facts.join(', '));
}

function inline(text: string): string {
  return markdown.parseInline(text, { async: false });
}

function anchor(operation: Operation, path: string): string {
  return escape(operation.operationId ?? path.replace(/[^A-Za-z0-9]+/g, '-'));
}

function escape(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!,
  );
}
