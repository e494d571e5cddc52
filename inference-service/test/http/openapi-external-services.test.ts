import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { BUNDLED_MODEL_DIR } from '../../src/config.ts';
import type { OpenApiDocument, SchemaObject } from '../../src/http/api-docs-page.ts';
import { createTestApp } from '../support/test-app.ts';

/**
 * /openapi.json against what Salesforce documents for importing a schema as an External
 * Service (Salesforce Help: "Schema Definition Support" and its pages "System Limits",
 * "Schema Definitions", "Naming and Description Conventions"; Metadata API:
 * ExternalServiceRegistration). docs/operations.md lists each rule and its source.
 */

const METHODS = new Set(['get', 'post', 'put', 'patch', 'delete']);
/** An Apex identifier: a letter first, then letters, digits and single underscores, not ending in one. */
const APEX_IDENTIFIER = /^[A-Za-z](?:[A-Za-z0-9]|_(?!_))*(?<!_)$/;
const TYPES = new Set(['string', 'number', 'integer', 'boolean', 'array', 'object']);
const FORMATS = new Set(['date', 'date-time', 'binary', 'byte', 'float', 'double', 'int32', 'int64']);
const MAX_DESCRIPTION = 1333;
const MAX_SCHEMA_CHARACTERS = 10_000_000;

interface Found {
  where: string;
  schema: SchemaObject;
}

/** Every schema object in the document, with where it is, refs left as they are. */
function schemasIn(document: OpenApiDocument): Found[] {
  const found: Found[] = [];
  const walk = (schema: SchemaObject | undefined, where: string) => {
    if (!schema || typeof schema !== 'object') return;
    found.push({ where, schema });
    for (const [name, property] of Object.entries(schema.properties ?? {})) walk(property, `${where}.${name}`);
    if (schema.items) walk(schema.items, `${where}[]`);
    if (typeof schema.additionalProperties === 'object') walk(schema.additionalProperties, `${where}{}`);
    for (const key of ['oneOf', 'anyOf', 'allOf'] as const)
      schema[key]?.forEach((part, i) => walk(part, `${where}.${key}[${i}]`));
  };
  for (const [name, schema] of Object.entries(document.components?.schemas ?? {})) walk(schema, name);
  for (const [path, methods] of Object.entries(document.paths ?? {})) {
    for (const [method, operation] of Object.entries(methods)) {
      const at = `${method.toUpperCase()} ${path}`;
      for (const p of operation.parameters ?? []) walk(p.schema, `${at} parameter ${p.name}`);
      for (const media of Object.values(operation.requestBody?.content ?? {})) walk(media.schema, `${at} body`);
      for (const [status, response] of Object.entries(operation.responses ?? {}))
        for (const media of Object.values(response.content ?? {})) walk(media.schema, `${at} ${status}`);
    }
  }
  return found;
}

describe('/openapi.json imports as a Salesforce External Service', () => {
  let document: OpenApiDocument;
  let text: string;
  before(async () => {
    const t = await createTestApp([BUNDLED_MODEL_DIR]);
    text = await (await t.call('GET', '/openapi.json')).text();
    document = JSON.parse(text) as OpenApiDocument;
  });
  const operations = () =>
    Object.entries(document.paths ?? {}).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({
        at: `${method.toUpperCase()} ${path}`,
        method,
        operation,
      })),
    );

  it('is OpenAPI 3.0 (External Services reads 2.0 and a subset of 3.0, not 3.1), within the schema size limit', () => {
    assert.match(document.openapi, /^3\.0\.\d+$/);
    assert.ok(text.length < MAX_SCHEMA_CHARACTERS, `${text.length} characters`);
  });

  it('uses only the methods External Services supports, and no GET with a body', () => {
    for (const { at, method, operation } of operations()) {
      assert.ok(METHODS.has(method), `${at}: ${method} is not GET, POST, PUT, PATCH or DELETE`);
      if (method === 'get') assert.equal(operation.requestBody, undefined, `${at} declares a request body`);
    }
  });

  it('names every operation with a unique operationId that is a valid Apex identifier', () => {
    const seen = new Set<string>();
    for (const { at, operation } of operations()) {
      const id = operation.operationId ?? '';
      assert.match(id, APEX_IDENTIFIER, `${at}: operationId "${id}" becomes an Apex name`);
      assert.ok(!seen.has(id.toLowerCase()), `${at}: operationId "${id}" is used twice (Apex names ignore case)`);
      seen.add(id.toLowerCase());
      for (const p of operation.parameters ?? []) assert.ok(p.name, `${at}: every parameter has a name`);
    }
  });

  it('names every schema and property with Apex identifier characters', () => {
    for (const name of Object.keys(document.components?.schemas ?? {})) assert.match(name, APEX_IDENTIFIER, name);
    for (const { where, schema } of schemasIn(document)) {
      for (const property of Object.keys(schema.properties ?? {}))
        assert.match(property, APEX_IDENTIFIER, `${where}: property "${property}"`);
    }
  });

  it('uses only OpenAPI 3.0 types and the formats External Services maps (no 3.1 type lists or null type)', () => {
    for (const { where, schema } of schemasIn(document)) {
      if (schema.type !== undefined) assert.ok(TYPES.has(schema.type), `${where}: type ${JSON.stringify(schema.type)}`);
      if (schema.format !== undefined) assert.ok(FORMATS.has(schema.format), `${where}: format ${schema.format}`);
      assert.ok(!('const' in schema), `${where}: "const" is JSON Schema 2020-12 (OpenAPI 3.1)`);
    }
  });

  it('keeps descriptions within the 1,333 characters External Services stores', () => {
    for (const { at, operation } of operations()) {
      for (const text of [operation.summary, operation.description])
        assert.ok((text ?? '').length <= MAX_DESCRIPTION, `${at}: a description of ${text?.length} characters`);
    }
    for (const { where, schema } of schemasIn(document))
      assert.ok((schema.description ?? '').length <= MAX_DESCRIPTION, `${where}: description too long`);
  });

  it('gives every property Flow sends or reads on the scoring and model-card operations a type External Services can map', () => {
    const flow = new Set(['scoreRecords', 'listModels', 'getModel']);
    const refs = new Set<string>();
    for (const { operation } of operations().filter((o) => flow.has(o.operation.operationId ?? ''))) {
      // What Flow sends and reads back: the body and the success answer (errors share one Error shape).
      const success = Object.entries(operation.responses ?? {}).filter(([status]) => status.startsWith('2'));
      JSON.stringify([operation.parameters, operation.requestBody, success], (key, value: unknown) => {
        if (key === '$ref' && typeof value === 'string') refs.add(value.replace('#/components/schemas/', ''));
        return value;
      });
    }
    // Follow refs to the schemas they use in turn.
    for (const name of refs) {
      JSON.stringify(document.components?.schemas?.[name], (key, value: unknown) => {
        if (key === '$ref' && typeof value === 'string') refs.add(value.replace('#/components/schemas/', ''));
        return value;
      });
    }
    for (const { where, schema } of schemasIn(document).filter((f) => refs.has(f.where.split(/[.[{]/)[0]!))) {
      // zod writes the null branch of a union (`number | string | boolean | null`) as `{ nullable: true }`.
      // An open map's extra keys (`catchall`): Flow sees the named, typed properties beside them.
      if (where.endsWith('{}') && Object.keys(schema).every((key) => key === 'nullable')) continue;
      if (schema.$ref || (/\.(anyOf|oneOf)\[\d+\]$/.test(where) && schema.nullable && Object.keys(schema).length === 1))
        continue;
      assert.ok(
        schema.type !== undefined || schema.oneOf || schema.anyOf || schema.allOf,
        `${where} has no type: External Services cannot map it`,
      );
    }
  });
});
