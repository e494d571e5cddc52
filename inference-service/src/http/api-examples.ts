import { LEAD_EXAMPLE } from '../scoring/lead-example.ts';
import type { OpenApiDocument } from './api-docs-page.ts';

/**
 * One example request (for operations with a body) and one example answer per operation of
 * /openapi.json, shown on /docs. They are what the service really does with the bundled
 * model: test/http/api-docs.test.ts validates every one against the published schemas,
 * sends the scoring example and compares the answer, which README.md shows too.
 */

interface OperationExample {
  request?: unknown;
  /** The first 2xx response's body. */
  response: unknown;
}

/** The bundled lead-scoring model's answer to LEAD_EXAMPLE (the README shows the same). */
export const LEAD_SCORE_RESPONSE = {
  model: 'lead-scoring',
  version: '1.0.0',
  results: [
    {
      id: '00Q000000000001AAA',
      score: 0.7699798345565796,
      band: 'Hot',
      factors: [
        { feature: 'LeadSource', value: 'Partner Referral', impact: 0.782204 },
        { feature: 'TitleSeniority', value: 'VP', impact: 0.753856 },
        { feature: 'DaysSinceLastActivity', value: 3, impact: 0.375487 },
      ],
      explanation: { method: 'shapley-exact', margin: 1.208197, baselineMargin: -1.050296 },
      improvements: [
        {
          changes: [
            { feature: 'LeadSource', from: 'Partner Referral', to: 'Employee Referral' },
            { feature: 'DaysSinceLastActivity', from: 3, to: 0 },
          ],
          scoreAfter: 0.8856085538864136,
        },
        { changes: [{ feature: 'DaysSinceLastActivity', from: 3, to: 0 }], scoreAfter: 0.8388683795928955 },
      ],
    },
  ],
  errors: [],
};

const LEAD_MODEL_SUMMARY = {
  name: 'lead-scoring',
  defaultVersion: '1.0.0',
  versions: ['1.0.0'],
  task: 'binary_classification',
  description:
    'Probability that a Lead converts, from its source, company, title seniority, contactability and recent ' +
    'engagement. Trained on synthetic data: a working example, not for real decisions.',
};

const ATTEMPT = { provider: 'openai', model: 'gpt-4o-mini', outcome: 'ok', status: 200, latencyMs: 812 };
const COST = { input: 0.000021, output: 0.000054, total: 0.000075, currency: 'USD', source: 'provider' };
const MASKED = { total: 2, byType: { FIELD: 1, EMAIL: 1 } };
const INSIGHT =
  'Acme Corp came in through a partner referral and its VP of Sales opened four emails this month: ' +
  'call this week and bring the partner in.';

export const API_EXAMPLES: Record<string, OperationExample> = {
  liveness: { response: { status: 'ok' } },
  readiness: { response: { status: 'ready', models: 1 } },
  oipServerLive: { response: { live: true } },
  oipServerReady: { response: { ready: true } },
  metrics: {
    response:
      '# HELP byom_records_scored_total Records scored, by model and version.\n' +
      '# TYPE byom_records_scored_total counter\n' +
      'byom_records_scored_total{model="lead-scoring",version="1.0.0"} 1\n',
  },
  scoreRecords: { request: LEAD_EXAMPLE, response: LEAD_SCORE_RESPONSE },
  listModels: { response: { models: [LEAD_MODEL_SUMMARY] } },
  getModel: {
    response: {
      name: 'lead-scoring',
      defaultVersion: '1.0.0',
      versions: [
        {
          name: 'lead-scoring',
          version: '1.0.0',
          default: true,
          description: LEAD_MODEL_SUMMARY.description,
          task: 'binary_classification',
          features: [
            {
              name: 'LeadSource',
              label: 'Lead source',
              type: 'category',
              description: 'Where the lead came from.',
              default: '',
              categories: ['Partner Referral', 'Trade Show', 'Web'],
              baseline: 'Web',
              actionable: true,
            },
            {
              name: 'AnnualRevenue',
              label: 'Annual revenue',
              type: 'number',
              allowMissing: true,
              min: 0,
              baseline: 4074000,
            },
            { name: 'HasEmail', label: 'Has email', type: 'boolean', default: false, baseline: true },
          ],
          inputs: { style: 'columns' },
          output: { name: 'probabilities', positiveClass: 1, transform: 'none' },
          bands: [
            { label: 'Hot', min: 0.4 },
            { label: 'Warm', min: 0.2 },
            { label: 'Cold', min: 0 },
          ],
          explanations: { method: 'shapley', improve: 'raise' },
          metrics: { auc: 0.745849, brier: 0.162822 },
        },
      ],
      explanations: [
        {
          version: '1.0.0',
          method: 'shapley',
          margins: 'logits',
          actionable: ['LeadSource', 'HasEmail', 'HasPhone', 'DaysSinceLastActivity'],
          algorithm: 'coalitions',
          groups: [['LeadSource'], ['AnnualRevenue'], ['HasEmail']],
        },
      ],
    },
  },
  oipServerMetadata: { response: { name: 'byom-bridge', version: '0.1.0', extensions: [] } },
  oipModelMetadata: {
    response: {
      name: 'lead-scoring',
      versions: ['1.0.0'],
      platform: 'onnxruntime_onnx',
      inputs: [
        { name: 'LeadSource', datatype: 'BYTES', shape: [-1, 1] },
        { name: 'AnnualRevenue', datatype: 'FP32', shape: [-1, 1] },
      ],
      outputs: [
        { name: 'label', datatype: 'INT64', shape: [-1] },
        { name: 'probabilities', datatype: 'FP32', shape: [-1, 2] },
      ],
    },
  },
  oipModelReady: { response: { name: 'lead-scoring', ready: true } },
  oipModelInfer: {
    request: {
      id: 'req-1',
      inputs: [
        { name: 'LeadSource', shape: [1, 1], datatype: 'BYTES', data: ['Partner Referral'] },
        { name: 'AnnualRevenue', shape: [1, 1], datatype: 'FP32', data: [25000000] },
      ],
    },
    response: {
      model_name: 'lead-scoring',
      model_version: '1.0.0',
      id: 'req-1',
      outputs: [
        { name: 'label', shape: [1], datatype: 'INT64', data: [1] },
        { name: 'probabilities', shape: [1, 2], datatype: 'FP32', data: [0.23, 0.77] },
      ],
    },
  },
  generateText: {
    request: {
      route: 'insights',
      messages: [
        { role: 'system', content: 'You help sales reps decide what to do next. Answer in two sentences.' },
        { role: 'user', content: 'Lead: Acme Corp, VP of Sales, pat@acme.example, source Partner Referral.' },
      ],
      pii: [{ field: 'Lead.Email', value: 'pat@acme.example' }],
      options: { maxTokens: 200, temperature: 0.2 },
      metadata: { template: 'Lead_Summary', templateVersion: 1, recordId: '00Q000000000001AAA' },
    },
    response: {
      id: 'gen-3f2a',
      route: 'insights',
      provider: 'openai',
      model: 'gpt-4o-mini',
      text: INSIGHT,
      finishReason: 'stop',
      attempts: [ATTEMPT],
      usage: { inputTokens: 142, outputTokens: 90, totalTokens: 232, source: 'provider' },
      cost: COST,
      latencyMs: 840,
      gatewayMs: 28,
      providerMs: 812,
      masked: MASKED,
      warnings: [],
    },
  },
  createChatCompletion: {
    request: {
      model: 'insights',
      messages: [{ role: 'user', content: 'Summarise this lead in one sentence: Acme Corp, VP of Sales.' }],
      max_tokens: 200,
    },
    response: {
      id: 'chatcmpl-3f2a',
      object: 'chat.completion',
      created: 1767225600,
      model: 'gpt-4o-mini',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: INSIGHT, refusal: null },
          finish_reason: 'stop',
          logprobs: null,
        },
      ],
      usage: { prompt_tokens: 142, completion_tokens: 90, total_tokens: 232 },
      system_fingerprint: null,
      byom: {
        route: 'insights',
        provider: 'openai',
        attempts: [ATTEMPT],
        usage: { inputTokens: 142, outputTokens: 90, totalTokens: 232, source: 'provider' },
        cost: COST,
        latencyMs: 840,
        gatewayMs: 28,
        providerMs: 812,
        masked: MASKED,
        warnings: [],
      },
    },
  },
};

/** The document with each operation's examples set on its JSON request body and first 2xx response. */
export function addExamples(document: OpenApiDocument): OpenApiDocument {
  for (const methods of Object.values(document.paths ?? {})) {
    for (const operation of Object.values(methods)) {
      const example = operation.operationId ? API_EXAMPLES[operation.operationId] : undefined;
      if (!example) continue;
      const body = operation.requestBody?.content?.['application/json'];
      if (body && example.request !== undefined) body.example = example.request;
      const success = Object.entries(operation.responses ?? {}).find(([status]) => status.startsWith('2'))?.[1];
      const media = success?.content && Object.values(success.content)[0];
      if (media) media.example = example.response;
    }
  }
  return document;
}

// The versioned Open Inference Protocol routes answer as their unversioned twins.
API_EXAMPLES.oipModelVersionMetadata = API_EXAMPLES.oipModelMetadata!;
API_EXAMPLES.oipModelVersionReady = API_EXAMPLES.oipModelReady!;
API_EXAMPLES.oipModelVersionInfer = API_EXAMPLES.oipModelInfer!;
