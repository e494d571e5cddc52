import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_CALLER_SERIES, ServiceMetrics } from '../../src/observability/metrics.ts';

describe('service metrics', () => {
  it('counts each label set in its own series, whatever order the labels are written in', async () => {
    const metrics = new ServiceMetrics({ collectProcessMetrics: false });
    metrics.llmRequests.labels({ route: 'insights', provider: 'openai', outcome: 'ok' }).inc();
    metrics.counter(metrics.llmRequests, { provider: 'openai', route: 'insights', outcome: 'ok' }).inc();
    // The same values under other names: a different series.
    metrics.llmRequests.labels({ provider: 'insights', route: 'openai', outcome: 'ok' }).inc();

    const text = await metrics.registry.getSingleMetricAsString('byom_llm_requests_total');
    assert.equal(seriesValue(text, 'route="insights"', 'provider="openai"'), 2);
    assert.equal(seriesValue(text, 'route="openai"', 'provider="insights"'), 1);
  });

  it('times requests by route and method, and counts them by status', async () => {
    const metrics = new ServiceMetrics({ collectProcessMetrics: false });
    metrics.observeRequest('/v1/score', 'POST', 200, 0.002);
    metrics.observeRequest('/v1/score', 'POST', 200, 0.004);
    metrics.observeRequest('/v1/score', 'POST', 400, 0.001);

    const counts = await metrics.registry.getSingleMetricAsString('byom_http_requests_total');
    assert.match(counts, /\{route="\/v1\/score",method="POST",status="200"\} 2/);
    assert.match(counts, /\{route="\/v1\/score",method="POST",status="400"\} 1/);
    const durations = await metrics.registry.getSingleMetricAsString('byom_http_request_duration_seconds');
    assert.match(durations, /byom_http_request_duration_seconds_count\{route="\/v1\/score",method="POST"\} 3/);
  });

  it('keeps caller series bounded: past MAX_CALLER_SERIES callers, new ones count as "other"', async () => {
    const metrics = new ServiceMetrics({ collectProcessMetrics: false });
    const caller = (user: number) => ({ route: 'chat', key_id: 'k1', org_id: '00D000000000001', user_id: `u${user}` });
    for (let user = 0; user < MAX_CALLER_SERIES + 50; user++) metrics.observeCaller(caller(user), 10, 0.01);
    metrics.observeCaller(caller(0), 5, 0.005); // a caller with a series keeps it

    const text = await metrics.registry.getSingleMetricAsString('byom_llm_caller_tokens_total');
    const series = text.split('\n').filter((line) => line.startsWith('byom_llm_caller_tokens_total{'));
    assert.equal(series.length, MAX_CALLER_SERIES + 1);
    assert.equal(seriesValue(text, 'org_id="other"', 'user_id="other"'), 500);
    assert.equal(seriesValue(text, 'user_id="u0"'), 15);
    const cost = await metrics.registry.getSingleMetricAsString('byom_llm_caller_cost_usd_total');
    assert.ok(Math.abs(seriesValue(cost, 'user_id="other"') - 0.5) < 1e-9);
  });
});

/** The value of the one series line that has every given label (prom-client keeps labels in first-use order). */
function seriesValue(text: string, ...labels: string[]): number {
  const lines = text
    .split('\n')
    .filter((line) => !line.startsWith('#') && labels.every((label) => line.includes(label)));
  assert.equal(lines.length, 1, `one series with ${labels.join(', ')}`);
  return Number(lines[0]!.split(' ').at(-1));
}
