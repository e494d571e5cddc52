import { createRoute, z } from '@hono/zod-openapi';
import type { OpenAPIHono } from '@hono/zod-openapi';
import ort from 'onnxruntime-node';
import { ApiError, echoed } from '../http/api-error.ts';
import { errorResponse } from '../http/error-schemas.ts';
import { createRouter } from '../http/router.ts';
import type { ServiceState } from '../http/service-state.ts';
import type { ScoringModel } from '../models/scoring-model.ts';
import { modelNotFound } from './model-routes.ts';

/**
 * Open Inference Protocol v2 (KServe/Triton REST) over the same registry, so standard
 * model-serving clients can call the raw ONNX graphs. Tensors go in and out as the model
 * defines them; the friendlier, explained API is /v1/score.
 */

const Datatype = z.enum(['BOOL', 'INT32', 'INT64', 'FP32', 'FP64', 'BYTES']);
type Datatype = z.infer<typeof Datatype>;

/** onnxruntime element types by their Open Inference Protocol names (what metadata and outputs report). */
const OIP_DATATYPES: Record<string, string> = {
  float32: 'FP32',
  float64: 'FP64',
  int64: 'INT64',
  int32: 'INT32',
  int16: 'INT16',
  int8: 'INT8',
  uint8: 'UINT8',
  bool: 'BOOL',
  string: 'BYTES',
  float16: 'FP16',
};

const TensorMetadata = z.object({ name: z.string(), datatype: z.string(), shape: z.array(z.number().int()) });

const ModelMetadata = z
  .object({
    name: z.string(),
    versions: z.array(z.string()),
    platform: z.literal('onnxruntime_onnx'),
    inputs: z.array(TensorMetadata),
    outputs: z.array(TensorMetadata),
  })
  .openapi('OipModelMetadata');

/**
 * Bounds on what a request may hold, checked before the elements are (zod checks an array's
 * length first): thousands of empty tensors or parameters cost an issue object each otherwise.
 */
const MAX_TENSORS = 256;
const MAX_RANK = 16;
const MAX_PARAMETERS = 64;

/** Parameters are accepted and ignored; their number is bounded before their values are checked. */
const Parameters = z.preprocess(
  (value, ctx) => {
    if (typeof value === 'object' && value !== null && Object.keys(value).length > MAX_PARAMETERS) {
      ctx.addIssue({ code: 'custom', message: `at most ${MAX_PARAMETERS} parameters`, input: value });
      return z.NEVER;
    }
    return value;
  },
  z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
);

const InferInputTensor = z.object({
  name: z.string().min(1),
  shape: z.array(z.number().int().min(0)).max(MAX_RANK),
  datatype: Datatype,
  parameters: Parameters.optional(),
  data: z.array(z.unknown()).openapi({ description: 'Row-major tensor contents, flat or nested.' }),
});

const InferRequest = z
  .object({
    id: z.string().optional(),
    parameters: Parameters.optional(),
    inputs: z.array(InferInputTensor).min(1).max(MAX_TENSORS),
    outputs: z
      .array(z.object({ name: z.string().min(1), parameters: Parameters.optional() }))
      .max(MAX_TENSORS)
      .optional(),
  })
  .openapi('OipInferRequest');

const InferResponse = z
  .object({
    model_name: z.string(),
    model_version: z.string(),
    id: z.string().optional(),
    outputs: z.array(
      z.object({
        name: z.string(),
        datatype: z.string(),
        shape: z.array(z.number().int()),
        data: z.array(z.unknown()),
      }),
    ),
  })
  .openapi('OipInferResponse');

const ServerMetadata = z.object({ name: z.string(), version: z.string(), extensions: z.array(z.string()) });

const errors = { 400: errorResponse('Invalid tensors'), 404: errorResponse('Unknown model or version') };

export function oipRoutes(state: ServiceState, serviceVersion: string): OpenAPIHono {
  const app = createRouter();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v2',
      operationId: 'oipServerMetadata',
      summary: 'Open Inference Protocol: server metadata',
      responses: {
        200: { description: 'Server metadata', content: { 'application/json': { schema: ServerMetadata } } },
      },
    }),
    (c) => c.json({ name: 'byom-bridge', version: serviceVersion, extensions: [] }, 200),
  );

  const find = ({ name, version }: { name: string; version?: string }): ScoringModel => {
    const registry = state.requireRegistry();
    const model = registry.get(name, version);
    if (!model) throw modelNotFound(registry, name, version);
    return model;
  };

  for (const versioned of [false, true]) {
    const base = versioned ? '/v2/models/{name}/versions/{version}' : '/v2/models/{name}';
    const params = versioned
      ? z.object({ name: z.string().min(1), version: z.string().min(1) })
      : z.object({ name: z.string().min(1) });

    app.openapi(
      createRoute({
        method: 'get',
        path: base,
        operationId: versioned ? 'oipModelVersionMetadata' : 'oipModelMetadata',
        summary: 'Open Inference Protocol: model metadata',
        request: { params },
        responses: {
          200: { description: 'Model metadata', content: { 'application/json': { schema: ModelMetadata } } },
          ...errors,
        },
      }),
      (c) => {
        const { name, version } = c.req.valid('param') as { name: string; version?: string };
        const model = find({ name, version });
        const family = state.requireRegistry().versionsOf(name)!;
        return c.json(
          {
            name: model.name,
            versions: version ? [model.version] : family.models.map((m) => m.version),
            platform: 'onnxruntime_onnx' as const,
            inputs: describeInputs(model),
            outputs: describeOutputs(model),
          },
          200,
        );
      },
    );

    app.openapi(
      createRoute({
        method: 'get',
        path: `${base}/ready`,
        operationId: versioned ? 'oipModelVersionReady' : 'oipModelReady',
        summary: 'Open Inference Protocol: model readiness',
        request: { params },
        responses: {
          200: {
            description: 'Ready',
            content: { 'application/json': { schema: z.object({ name: z.string(), ready: z.boolean() }) } },
          },
          ...errors,
        },
      }),
      (c) => {
        const model = find(c.req.valid('param'));
        return c.json({ name: model.name, ready: true }, 200);
      },
    );

    app.openapi(
      createRoute({
        method: 'post',
        path: `${base}/infer`,
        operationId: versioned ? 'oipModelVersionInfer' : 'oipModelInfer',
        summary: 'Open Inference Protocol: run the raw model on tensors',
        request: { params, body: { required: true, content: { 'application/json': { schema: InferRequest } } } },
        responses: {
          200: { description: 'Output tensors', content: { 'application/json': { schema: InferResponse } } },
          ...errors,
        },
      }),
      async (c) => {
        const request = c.req.valid('json');
        const model = find(c.req.valid('param'));
        const feeds = toFeeds(model, request.inputs);
        const available = describeOutputs(model).map((o) => o.name);
        const wanted = request.outputs?.map((o) => o.name) ?? available;
        const unknown = wanted.filter((n) => !available.includes(n));
        if (unknown.length > 0) {
          throw new ApiError(
            400,
            'VALIDATION_ERROR',
            `unknown outputs ${unknown.slice(0, 5).map(echoed).join(', ')} (outputs: ${available.join(', ')})`,
          );
        }
        let results: Record<string, ort.Tensor>;
        try {
          results = await model.runSession(feeds, wanted);
        } catch (error) {
          throw new ApiError(400, 'INFERENCE_FAILED', `the model rejected the inputs: ${(error as Error).message}`);
        }
        return c.json(
          {
            model_name: model.name,
            model_version: model.version,
            id: request.id,
            outputs: wanted.map((outputName) => fromTensor(outputName, results[outputName]!)),
          },
          200,
        );
      },
    );
  }
  return app;
}

type TensorMetadata = z.infer<typeof TensorMetadata>;

function describeInputs(model: ScoringModel): TensorMetadata[] {
  return model.session.inputMetadata.map(describeTensor);
}

/** Tensor outputs only (onnxruntime-node cannot return sequences or maps), without those added for explanations. */
function describeOutputs(model: ScoringModel): TensorMetadata[] {
  return model.session.outputMetadata.filter((m) => m.isTensor && !model.addedOutputs.has(m.name)).map(describeTensor);
}

function describeTensor(meta: ort.InferenceSession.ValueMetadata): TensorMetadata {
  if (!meta.isTensor) return { name: meta.name, datatype: 'UNKNOWN', shape: [] };
  return {
    name: meta.name,
    datatype: OIP_DATATYPES[meta.type] ?? meta.type.toUpperCase(),
    shape: meta.shape.map((d) => (typeof d === 'number' ? d : -1)),
  };
}

const ORT_TYPES: Record<Datatype, ort.Tensor.Type> = {
  BOOL: 'bool',
  INT32: 'int32',
  INT64: 'int64',
  FP32: 'float32',
  FP64: 'float64',
  BYTES: 'string',
};

function toFeeds(model: ScoringModel, inputs: Array<z.infer<typeof InferInputTensor>>): Record<string, ort.Tensor> {
  const invalid = (message: string) => new ApiError(400, 'VALIDATION_ERROR', message);
  const expected = describeInputs(model);
  const feeds: Record<string, ort.Tensor> = {};
  for (const input of inputs) {
    const meta = expected.find((e) => e.name === input.name);
    if (!meta) throw invalid(`unknown input ${echoed(input.name)} (inputs: ${expected.map((e) => e.name).join(', ')})`);
    if (meta.datatype !== input.datatype) {
      throw invalid(`input "${input.name}" must be ${meta.datatype}, got ${input.datatype}`);
    }
    // Nested data goes as deep as the shape, no deeper: flat(Infinity) would recurse as deep as the body nests.
    const values = (input.data as unknown[]).flat(Math.max(0, input.shape.length - 1));
    if (values.some(Array.isArray)) {
      throw invalid(`input "${input.name}" nests its data deeper than its shape [${input.shape.join(', ')}]`);
    }
    const size = input.shape.reduce((a, b) => a * b, 1);
    if (values.length !== size) {
      throw invalid(
        `input "${input.name}" has ${values.length} values for shape [${input.shape.join(', ')}] (${size} expected)`,
      );
    }
    feeds[input.name] = new ort.Tensor(
      ORT_TYPES[input.datatype],
      typedData(input.name, input.datatype, values),
      input.shape,
    );
  }
  const missing = expected.filter((e) => !(e.name in feeds)).map((e) => e.name);
  if (missing.length > 0) throw invalid(`missing inputs: ${missing.join(', ')}`);
  return feeds;
}

function typedData(
  name: string,
  datatype: Datatype,
  values: unknown[],
): Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array | string[] {
  const fail = (expected: string) =>
    new ApiError(400, 'VALIDATION_ERROR', `input "${name}" is ${datatype}: every value must be ${expected}`);
  switch (datatype) {
    case 'BYTES':
      if (!values.every((v) => typeof v === 'string')) throw fail('a string');
      return values as string[];
    case 'BOOL':
      if (!values.every((v) => typeof v === 'boolean')) throw fail('true or false');
      return Uint8Array.from(values as boolean[], (v) => (v ? 1 : 0));
    case 'INT32':
    case 'INT64':
      if (!values.every((v) => typeof v === 'number' && Number.isSafeInteger(v))) throw fail('an integer');
      return datatype === 'INT32'
        ? Int32Array.from(values as number[])
        : BigInt64Array.from(values as number[], (v) => BigInt(v));
    case 'FP32':
    case 'FP64':
      if (!values.every((v) => typeof v === 'number')) throw fail('a number');
      return datatype === 'FP32' ? Float32Array.from(values as number[]) : Float64Array.from(values as number[]);
  }
}

function fromTensor(
  name: string,
  tensor: ort.Tensor,
): { name: string; datatype: string; shape: number[]; data: unknown[] } {
  const data = tensor.data;
  const values =
    data instanceof BigInt64Array
      ? Array.from(data, (v) => Number(v))
      : Array.isArray(data)
        ? data
        : Array.from(data as ArrayLike<number>, (v) => (Number.isFinite(v) ? v : null));
  return {
    name,
    datatype: OIP_DATATYPES[tensor.type] ?? tensor.type.toUpperCase(),
    shape: [...tensor.dims],
    data: values,
  };
}
