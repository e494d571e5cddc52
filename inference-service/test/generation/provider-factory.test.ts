import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { callModel } from '../../src/generation/providers/model-call.ts';
import { createProviderFactory } from '../../src/generation/providers/provider-factory.ts';
import { parseRoutes } from '../../src/generation/gateway/routes-config.ts';
import { startStubLlmProvider } from '../support/stub-llm-provider.ts';
import type { StubLlmProvider } from '../support/stub-llm-provider.ts';

const price = { input: 0, output: 0 };

describe('the provider factory (AI SDK providers from the routes file)', () => {
  let stub: StubLlmProvider;
  before(async () => {
    stub = await startStubLlmProvider();
  });
  after(() => stub.close());

  it('calls OpenAI, Azure OpenAI and OpenAI-compatible targets over Chat Completions with their keys', async () => {
    const env = { OPENAI_API_KEY: 'sk-openai-test', AZURE_API_KEY: 'azure-test', LOCAL_LLM_KEY: 'local-test' };
    const routes = parseRoutes(
      {
        routes: {
          all: {
            targets: [
              { provider: 'openai', model: 'gpt-4o-mini', baseUrl: stub.baseUrl, pricePer1K: price },
              { provider: 'azure', model: 'my-deployment', baseUrl: stub.baseUrl, pricePer1K: price },
              {
                provider: 'openai-compatible',
                name: 'vllm',
                model: 'llama-3.1-8b',
                baseUrl: stub.baseUrl,
                apiKeyEnv: 'LOCAL_LLM_KEY',
                pricePer1K: price,
              },
            ],
          },
        },
      },
      'test routes',
      env,
    );
    const providers = await createProviderFactory(routes.targets(), { env });
    const signal = new AbortController().signal;
    for (const target of routes.get('all')!.targets) {
      stub.reset();
      const answer = await callModel(
        providers(target),
        { messages: [{ role: 'user', content: 'ping' }], maxOutputTokens: 16 },
        signal,
      );
      assert.equal(answer.text, 'Echo: ping', `${target.provider} got an answer`);
      const request = stub.requests[0]!;
      assert.equal(request.path, '/v1/chat/completions', `${target.provider} speaks Chat Completions`);
      assert.equal(request.body?.model, target.model);
      const [header, value] = {
        openai: ['authorization', `Bearer ${env.OPENAI_API_KEY}`],
        azure: ['api-key', env.AZURE_API_KEY],
        'openai-compatible': ['authorization', `Bearer ${env.LOCAL_LLM_KEY}`],
      }[target.provider as 'openai' | 'azure' | 'openai-compatible'];
      assert.equal(request.headers[header], value, `${target.provider} sends its key in ${header}`);
    }
  });

  it('builds models for Anthropic, Vertex, Bedrock and Mistral from their environment variables', async () => {
    const env = {
      ANTHROPIC_API_KEY: 'sk-ant-test',
      GOOGLE_VERTEX_PROJECT: 'my-project',
      GOOGLE_VERTEX_LOCATION: 'us-central1',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIATEST',
      AWS_SECRET_ACCESS_KEY: 'secret',
      MISTRAL_API_KEY: 'mistral-test',
    };
    const routes = parseRoutes(
      {
        routes: {
          others: {
            targets: [
              { provider: 'anthropic', model: 'claude-3-5-haiku-latest', pricePer1K: price },
              { provider: 'vertex', model: 'gemini-2.0-flash', region: 'europe-west4', pricePer1K: price },
              { provider: 'bedrock', model: 'anthropic.claude-3-haiku-20240307-v1:0', pricePer1K: price },
              { provider: 'mistral', model: 'mistral-small-latest', pricePer1K: price },
            ],
          },
        },
      },
      'test routes',
      env,
    );
    const providers = await createProviderFactory(routes.targets(), { env });
    const built = routes
      .get('others')!
      .targets.map((target) => providers(target) as { provider: string; modelId: string });
    assert.deepEqual(
      built.map((model) => model.modelId),
      ['claude-3-5-haiku-latest', 'gemini-2.0-flash', 'anthropic.claude-3-haiku-20240307-v1:0', 'mistral-small-latest'],
    );
    for (const [model, expected] of built.map(
      (m, i) => [m, ['anthropic', 'vertex', 'bedrock', 'mistral'][i]!] as const,
    )) {
      assert.match(model.provider, new RegExp(expected === 'vertex' ? 'google.vertex' : expected));
    }
  });
});
