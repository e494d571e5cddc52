import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createGatewayTestApp, stubTarget } from '../../support/gateway-test-app.ts';
import type { GatewayTestApp } from '../../support/gateway-test-app.ts';
import { startStubLlmProvider } from '../../support/stub-llm-provider.ts';
import type { StubLlmProvider } from '../../support/stub-llm-provider.ts';
import { TEST_KEY } from '../../support/test-app.ts';

/**
 * Everything the gateway forwards besides message text is masked too, and what callers send
 * for the log reaches it only masked.
 */
describe('masking what the gateway forwards and logs', () => {
  let stub: StubLlmProvider;
  let t: GatewayTestApp;

  before(async () => {
    stub = await startStubLlmProvider();
    t = await createGatewayTestApp(
      {
        routes: {
          insights: { targets: [stubTarget(stub.baseUrl, 'model-a')] },
          // The OpenAI provider sends the JSON Schema on (the generic OpenAI-compatible one does not).
          structured: {
            targets: [
              { provider: 'openai', model: 'gpt-4o-mini', baseUrl: stub.baseUrl, pricePer1K: { input: 0, output: 0 } },
            ],
          },
        },
      },
      { env: { OPENAI_API_KEY: 'sk-test' } },
    );
  });
  beforeEach(() => stub.reset());
  after(() => stub.close());

  const logEntries = () =>
    t
      .logs()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((entry) => entry.msg === 'llm request');

  it('masks chat stop sequences with the same placeholders as the messages', async () => {
    const response = await t.post('/v1/chat/completions', {
      model: 'insights',
      messages: [{ role: 'user', content: 'Draft a note to Jane Doe (jane.doe@acme.example).' }],
      stop: ['Regards, Jane Doe', 'jane&#64;acme.example', '\n\n'],
      pii: [{ field: 'Contact.Name', value: 'Jane Doe' }],
    });
    assert.equal(response.status, 200);
    const sent = stub.requests[0]!.body!;
    assert.deepEqual(sent.stop, ['Regards, [NAME_1]', '[EMAIL_2]', '\n\n']);
    assert.equal((sent.messages!.at(-1)!.content as string).includes('[NAME_1] ([EMAIL_1])'), true);
    assert.ok(!stub.receivedText().includes('Jane') && !stub.receivedText().includes('acme.example'));
  });

  it("masks the JSON Schema of a structured answer, and still checks the answer against the caller's own", async () => {
    const schema = {
      type: 'object',
      properties: {
        contact: { enum: ['jane.doe@acme.example', 'ops@globex.example'], description: 'e.g. jane.doe@acme.example' },
      },
      required: ['contact'],
    };
    stub.setDefault({ type: 'reply', text: '{"contact": "[EMAIL_1]"}' });
    const response = await t.post('/v1/generate', {
      route: 'structured',
      messages: [{ role: 'user', content: 'Who should get the renewal quote?' }],
      options: { responseFormat: { type: 'json', schema } },
    });
    const body = (await response.json()) as { json: unknown };
    assert.equal(response.status, 200, JSON.stringify(body));
    assert.deepEqual(body.json, { contact: 'jane.doe@acme.example' }, 'restored, and valid against the original enum');
    const sent = stub.requests[0]!.rawBody;
    assert.ok(
      !sent.includes('acme.example') && !sent.includes('globex.example'),
      'the schema reached the provider masked',
    );
    assert.match(sent, /\[EMAIL_1\].*\[EMAIL_2\]/);
  });

  it('logs caller metadata masked, whether or not the request got as far as masking', async () => {
    const metadata = { template: 'Follow up with Jane Doe <jane.doe@acme.example>', recordId: '00Q5g00000AbCdEAAV' };
    const pii = [{ field: 'Lead.Name', value: 'Jane Doe' }];
    const messages = [{ role: 'user', content: 'Summarise the lead.' }];
    assert.equal((await t.post('/v1/generate', { route: 'insights', messages, pii, metadata })).status, 200);
    assert.equal((await t.post('/v1/generate', { route: 'nowhere', messages, pii, metadata })).status, 404);
    const [ok, notFound] = logEntries().slice(-2);
    assert.equal(ok!.template, 'Follow up with [NAME_1] <[EMAIL_1]>');
    assert.equal(ok!.recordId, '00Q5g00000AbCdEAAV', 'a record id holds no personal data and stays readable');
    assert.equal(notFound!.outcome, 'route_not_found');
    assert.equal(notFound!.template, 'Follow up with [NAME_1] <[EMAIL_1]>');
    assert.ok(!t.logs().includes('Jane') && !t.logs().includes('acme.example'));
  });

  it("logs an OpenAI client's user id masked when it holds personal data, and keeps that out of metric labels", async () => {
    const response = await t.post('/v1/chat/completions', {
      model: 'insights',
      messages: [{ role: 'user', content: 'Summarise the account.' }],
      user: 'ssn-078-05-1120',
    });
    assert.equal(response.status, 200);
    assert.equal(logEntries().at(-1)!.userId, 'ssn-[SSN_1]');
    const metrics = await (
      await t.app.request('/metrics', { headers: { authorization: `Bearer ${TEST_KEY}` } })
    ).text();
    assert.ok(!t.logs().includes('078-05-1120') && !metrics.includes('078-05-1120'));
  });

  it('refuses text it cannot read instead of forwarding it (fail closed)', async () => {
    for (const content of [
      'Mail jane\ud800.doe@acme.example',
      'Mail jane.doe%25252540acme.example',
      `Blob ${Buffer.from(Buffer.from(Buffer.from('nested three times').toString('base64')).toString('base64')).toString('base64')}`,
    ]) {
      const response = await t.post('/v1/generate', { route: 'insights', messages: [{ role: 'user', content }] });
      assert.equal(response.status, 500);
      assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'MASKING_FAILED');
    }
    const stopOnly = await t.post('/v1/chat/completions', {
      model: 'insights',
      messages: [{ role: 'user', content: 'hi' }],
      stop: ['\udfff'],
    });
    assert.equal(stopOnly.status, 500, 'a forwarded string is held to the same rule');
    assert.equal(stub.requests.length, 0, 'no provider received anything');
    assert.match(t.logs(), /"reason":"the text is encoded more than 3 levels deep"/);
  });
});
