import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import { Ajv } from 'ajv';
import { BUNDLED_MODEL_DIR } from '../../src/config.ts';
import { renderApiDocsPage } from '../../src/http/api-docs-page.ts';
import type { OpenApiDocument, SchemaObject } from '../../src/http/api-docs-page.ts';
import { API_EXAMPLES, LEAD_SCORE_RESPONSE } from '../../src/http/api-examples.ts';
import { LEAD_EXAMPLE } from '../../src/scoring/lead-example.ts';
import { createTestApp } from '../support/test-app.ts';
import type { TestApp } from '../support/test-app.ts';

const README = new URL('../../../README.md', import.meta.url);

/**
 * Validates a value against one schema of the document, resolving its `#/components/schemas/…`
 * refs. A schema with `nullable` but no `type` (zod's `unknown().nullable()`) means any value.
 */
function validatorFor(document: OpenApiDocument) {
  const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
  const anyWhenUntyped = (key: string, value: unknown) =>
    value && typeof value === 'object' && !Array.isArray(value) && 'nullable' in value && !('type' in value)
      ? Object.fromEntries(Object.entries(value).filter(([k]) => k !== 'nullable'))
      : value;
  return (schema: SchemaObject, value: unknown): string[] => {
    const validate = ajv.compile(
      JSON.parse(JSON.stringify({ ...schema, components: document.components }), anyWhenUntyped) as object,
    );
    return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
  };
}

async function appWithDocs(publicDocs: boolean) {
  return (await createTestApp([BUNDLED_MODEL_DIR], { publicDocs })).app;
}

/**
 * JSON values equal, numbers to float32 precision: onnxruntime computes in float32, and its
 * last digits may differ between CPUs (x86 and ARM builds). Anything else must match exactly.
 */
function assertSameAnswer(actual: unknown, expected: unknown, message: string, at = '$'): void {
  if (typeof actual === 'number' && typeof expected === 'number') {
    assert.ok(
      Math.abs(actual - expected) <= 1e-6 * Math.max(1, Math.abs(expected)),
      `${message}: ${at} is ${actual}, not ${expected}`,
    );
  } else if (actual !== null && expected !== null && typeof actual === 'object' && typeof expected === 'object') {
    assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort(), `${message}: the keys of ${at}`);
    for (const key of Object.keys(expected))
      assertSameAnswer(
        (actual as Record<string, unknown>)[key],
        (expected as Record<string, unknown>)[key],
        message,
        `${at}.${key}`,
      );
  } else {
    assert.deepEqual(actual, expected, `${message}: ${at}`);
  }
}

describe('the API reference (/docs) and /openapi.json', () => {
  let t: TestApp;
  let document: OpenApiDocument;
  let html: string;
  before(async () => {
    t = await createTestApp([BUNDLED_MODEL_DIR]);
    document = (await (await t.call('GET', '/openapi.json')).json()) as OpenApiDocument;
    html = await (await t.call('GET', '/docs')).text();
  });
  const operations = () =>
    Object.entries(document.paths ?? {}).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({ path, method, operation })),
    );

  it('opens from a browser in development, without the key, and stays behind the key otherwise', async () => {
    const open = await appWithDocs(true);
    const page = await open.request('/docs');
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    assert.equal((await open.request('/openapi.json')).status, 200);
    assert.equal((await open.request('/v1/models')).status, 401, 'only the docs are open, not the API');
    const closed = await appWithDocs(false);
    assert.equal((await closed.request('/docs')).status, 401);
    assert.equal((await closed.request('/openapi.json')).status, 401);
  });

  it('lists the health, readiness and metrics routes, marking the ones that need no key', () => {
    for (const path of ['/healthz', '/readyz', '/v2/health/live', '/v2/health/ready', '/metrics']) {
      assert.ok(document.paths?.[path]?.get, `${path} is in /openapi.json`);
      assert.match(html, new RegExp(`<code>${path.replace(/\//g, '\\/')}</code>`), `${path} is on /docs`);
    }
    assert.deepEqual(document.paths?.['/healthz']?.get?.security, [], 'probes need no key');
    assert.equal(document.paths?.['/metrics']?.get?.security, undefined, '/metrics needs the key');
    assert.match(html, /<code>\/healthz<\/code> <span class="open">no key needed<\/span>/);
  });

  it('has an example for every operation, each valid against the schemas it documents', () => {
    const validate = validatorFor(document);
    for (const { path, method, operation } of operations()) {
      const name = `${method.toUpperCase()} ${path} (${operation.operationId})`;
      const body = operation.requestBody?.content?.['application/json'];
      if (body) {
        assert.notEqual(body.example, undefined, `${name} has a request example`);
        assert.deepEqual(validate(body.schema!, body.example), [], `${name}: the request example fits its schema`);
      }
      const [status, success] = Object.entries(operation.responses ?? {}).find(([code]) => code.startsWith('2'))!;
      const [type, media] = Object.entries(success.content ?? {})[0]!;
      assert.notEqual(media.example, undefined, `${name} has a ${status} example`);
      if (type === 'application/json') {
        assert.deepEqual(validate(media.schema!, media.example), [], `${name}: the ${status} example fits its schema`);
      }
      assert.ok(operation.operationId && API_EXAMPLES[operation.operationId], `${name} is in API_EXAMPLES`);
    }
  });

  it('shows the scoring example as the bundled model really answers it', async () => {
    const answer = await (await t.call('POST', '/v1/score', LEAD_EXAMPLE)).json();
    assertSameAnswer(
      answer,
      LEAD_SCORE_RESPONSE,
      'update LEAD_SCORE_RESPONSE (and README.md) to what the model returns',
    );
  });

  it('draws request and response schemas inline, with markdown rendered and every example shown', () => {
    assert.doesNotMatch(html, /\$ref|#\/components\/schemas/, 'no unresolved references');
    // ScoreRequest's records → ScoreRecord → features, followed through two references.
    const score = html.slice(
      html.indexOf('<section id="scoreRecords">'),
      html.indexOf('</section>', html.indexOf('<section id="scoreRecords">')),
    );
    assert.match(
      score,
      /<code>records<\/code> <span class="type">array of object<\/span> <span class="schema-name">ScoreRecord<\/span>|<code>records<\/code>/,
    );
    assert.match(score, /<code>features<\/code>/, 'nested properties are drawn');
    assert.match(score, /<code>factors<\/code>/, 'the response schema is drawn');
    assert.match(score, /Example request/);
    assert.match(score, /&quot;LeadSource&quot;: &quot;Partner Referral&quot;/);
    assert.match(
      html,
      /<p>ONNX scoring with per-feature explanations.*<code>\/v1\/generate<\/code>/s,
      'markdown becomes HTML',
    );
    assert.doesNotMatch(html, /`\/v1\/generate`/, 'no raw markdown left');
    assert.ok(!/<script/i.test(html), 'the page runs no scripts and loads nothing from a CDN');
    for (const { operation } of operations()) {
      assert.match(
        html,
        new RegExp(`<section id="${operation.operationId}">`),
        `${operation.operationId} has a section`,
      );
    }
  });

  it('keeps the README sample output equal to what the service returns', () => {
    const readme = readFileSync(README, 'utf8');
    const intro = readme.indexOf('`npm start` prints');
    assert.ok(intro >= 0, 'the README describes what npm start prints');
    const block = /```json\n([\s\S]*?)\n```/.exec(readme.slice(intro));
    assert.ok(block, 'the README shows the scoring answer as a json block');
    assert.deepEqual(JSON.parse(block[1]!), LEAD_SCORE_RESPONSE, 'the README shows the answer the test above checks');
  });

  it('names a union alternative behind a reference by its own type, and one without a type as null', () => {
    const page = renderApiDocsPage({
      openapi: '3.0.0',
      info: { title: 'Unions', version: '1' },
      paths: {
        '/band': {
          get: {
            operationId: 'band',
            responses: {
              200: {
                description: 'A band',
                content: {
                  'application/json': {
                    schema: {
                      type: 'object',
                      properties: {
                        band: { oneOf: [{ $ref: '#/components/schemas/Band' }, { type: 'number' }, {}] },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
      components: { schemas: { Band: { type: 'string', enum: ['Hot', 'Cold'] } } },
    });
    assert.match(
      page,
      /<code>band<\/code> <span class="type">string, one of &quot;Hot&quot;, &quot;Cold&quot;, number or null<\/span>/,
    );
  });
});
