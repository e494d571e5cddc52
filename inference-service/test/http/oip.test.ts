import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { createTestApp } from '../support/test-app.ts';
import type { TestApp } from '../support/test-app.ts';
import {
  COLUMN_INTERCEPT,
  COLUMN_WEIGHTS,
  columnsZipMapClassifier,
  tensorClassifier,
  writeModelDir,
} from '../support/test-models.ts';

interface InferResponse {
  model_name: string;
  model_version: string;
  id?: string;
  outputs: Array<{ name: string; datatype: string; shape: number[]; data: unknown[] }>;
}

describe('Open Inference Protocol v2', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp([
      await writeModelDir([tensorClassifier('1.0.0'), tensorClassifier('2.0.0'), columnsZipMapClassifier()]),
    ]);
  });

  it('answers server liveness, readiness and metadata', async () => {
    assert.deepEqual(await (await t.app.request('/v2/health/live')).json(), { live: true });
    assert.deepEqual(await (await t.app.request('/v2/health/ready')).json(), { ready: true });
    const meta = (await (await t.call('GET', '/v2')).json()) as { name: string; extensions: string[] };
    assert.equal(meta.name, 'byom-bridge');
  });

  it("describes a model's real tensor inputs and outputs", async () => {
    const meta = (await (await t.call('GET', '/v2/models/columns-zipmap')).json()) as {
      platform: string;
      inputs: Array<{ name: string; datatype: string; shape: number[] }>;
      outputs: Array<{ name: string }>;
    };
    assert.equal(meta.platform, 'onnxruntime_onnx');
    assert.deepEqual(meta.inputs, [
      { name: 'amount', datatype: 'FP32', shape: [-1, 1] },
      { name: 'visits', datatype: 'INT64', shape: [-1, 1] },
      { name: 'region', datatype: 'BYTES', shape: [-1, 1] },
    ]);
    assert.deepEqual(
      meta.outputs,
      [
        { name: 'output_label', datatype: 'INT64', shape: [-1] },
        { name: 'output_probability', datatype: 'FP32', shape: [-1, 2] },
      ],
      'the ZipMap output keeps its own name, served as its [N, classes] probability tensor',
    );
  });

  it('lists versions and answers per-version metadata and readiness', async () => {
    const all = (await (await t.call('GET', '/v2/models/tensor-classifier')).json()) as { versions: string[] };
    assert.deepEqual(all.versions, ['1.0.0', '2.0.0']);
    const one = (await (await t.call('GET', '/v2/models/tensor-classifier/versions/1.0.0')).json()) as {
      versions: string[];
    };
    assert.deepEqual(one.versions, ['1.0.0']);
    assert.deepEqual(await (await t.call('GET', '/v2/models/tensor-classifier/versions/2.0.0/ready')).json(), {
      name: 'tensor-classifier',
      ready: true,
    });
    assert.equal((await t.call('GET', '/v2/models/tensor-classifier/versions/3.0.0/ready')).status, 404);
  });

  it('runs inference on raw tensors, nested or flat, and echoes the request id', async () => {
    const response = await t.call('POST', '/v2/models/tensor-classifier/versions/1.0.0/infer', {
      id: 'req-1',
      inputs: [{ name: 'float_input', shape: [2, 3], datatype: 'FP32', data: [[0, 0, 0], 1, 1, 1] }],
      outputs: [{ name: 'probabilities' }],
    });
    const json = (await response.json()) as InferResponse;
    assert.equal(response.status, 200, JSON.stringify(json));
    assert.equal(json.id, 'req-1');
    assert.equal(json.model_version, '1.0.0');
    const [output] = json.outputs;
    assert.deepEqual(output!.shape, [2, 2]);
    const p0 = output!.data[1] as number;
    assert.ok(Math.abs(p0 - 1 / (1 + Math.exp(0.3))) < 1e-6, 'row 0 is sigmoid(intercept)');
  });

  it('runs string and int64 column inputs', async () => {
    const response = await t.call('POST', '/v2/models/columns-zipmap/infer', {
      inputs: [
        { name: 'amount', shape: [1, 1], datatype: 'FP32', data: [0] },
        { name: 'visits', shape: [1, 1], datatype: 'INT64', data: [0] },
        { name: 'region', shape: [1, 1], datatype: 'BYTES', data: ['north'] },
      ],
    });
    const json = (await response.json()) as InferResponse;
    assert.equal(response.status, 200, JSON.stringify(json));
    assert.deepEqual(json.outputs.find((o) => o.name === 'output_label')!.data, [0]);
    const probabilities = json.outputs.find((o) => o.name === 'output_probability')!;
    assert.deepEqual(probabilities.shape, [1, 2]);
    const p = 1 / (1 + Math.exp(-(COLUMN_INTERCEPT + COLUMN_WEIGHTS.region.north)));
    assert.ok(Math.abs((probabilities.data[1] as number) - p) < 1e-6, `P(class 1) in column 1: ${probabilities.data}`);
  });

  it('serves a ZipMap output by its own name when asked for it, with the probabilities /v1/score gives', async () => {
    const response = await t.call('POST', '/v2/models/columns-zipmap/infer', {
      inputs: [
        { name: 'amount', shape: [2, 1], datatype: 'FP32', data: [100, 300] },
        { name: 'visits', shape: [2, 1], datatype: 'INT64', data: [1, 2] },
        { name: 'region', shape: [2, 1], datatype: 'BYTES', data: ['south', 'north'] },
      ],
      outputs: [{ name: 'output_probability' }],
    });
    const json = (await response.json()) as InferResponse;
    assert.equal(response.status, 200, JSON.stringify(json));
    assert.deepEqual(
      json.outputs.map((o) => [o.name, o.datatype, o.shape]),
      [['output_probability', 'FP32', [2, 2]]],
    );
    const scored = (await (
      await t.call('POST', '/v1/score', {
        model: 'columns-zipmap',
        records: [
          { id: 'a', features: { Amount: 100, Visits: 1, Region: 'south' } },
          { id: 'b', features: { Amount: 300, Visits: 2, Region: 'north' } },
        ],
      })
    ).json()) as { results: Array<{ score: number }> };
    assert.deepEqual(
      scored.results.map((r) => r.score),
      [json.outputs[0]!.data[1], json.outputs[0]!.data[3]],
    );
  });

  it('rejects tensors that do not fit the model with readable 400s', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [
        { inputs: [{ name: 'x', shape: [1, 3], datatype: 'FP32', data: [1, 2, 3] }] },
        /unknown input "x" \(inputs: float_input\)/,
      ],
      [
        { inputs: [{ name: 'float_input', shape: [1, 3], datatype: 'INT64', data: [1, 2, 3] }] },
        /must be FP32, got INT64/,
      ],
      [
        { inputs: [{ name: 'float_input', shape: [2, 3], datatype: 'FP32', data: [1, 2, 3] }] },
        /3 values for shape \[2, 3\] \(6 expected\)/,
      ],
      [
        { inputs: [{ name: 'float_input', shape: [1, 3], datatype: 'FP32', data: [1, 'a', 3] }] },
        /every value must be a number/,
      ],
      [{ inputs: [{ name: 'float_input', shape: [1, 2], datatype: 'FP32', data: [1, 2] }] }, /rejected the inputs/],
      [
        {
          inputs: [{ name: 'float_input', shape: [1, 3], datatype: 'FP32', data: [1, 2, 3] }],
          outputs: [{ name: 'nope' }],
        },
        /unknown outputs "nope"/,
      ],
      [
        { inputs: [{ name: 'float_input', shape: [1, 3], datatype: 'FP32', data: [[[1, 2, 3]]] }] },
        /nests its data deeper than its shape \[1, 3\]/,
      ],
    ];
    for (const [body, message] of cases) {
      const response = await t.call('POST', '/v2/models/tensor-classifier/infer', body);
      const json = (await response.json()) as { error: { message: string } };
      assert.equal(response.status, 400, JSON.stringify(json));
      assert.match(json.error.message, message);
    }
    assert.equal(
      (
        await t.call('POST', '/v2/models/nope/infer', {
          inputs: [{ name: 'a', shape: [1], datatype: 'FP32', data: [1] }],
        })
      ).status,
      404,
    );
  });
});
