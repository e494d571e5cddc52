import { open, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { DataLocation, ElemType, decodeModel } from '../onnx/onnx-proto.ts';
import type { ModelProto, TensorProto } from '../onnx/onnx-proto.ts';
import { ModelLoadError } from './model-load-error.ts';

/**
 * Reads `model.onnx` into a decoded model, with any ONNX external data (the `model.onnx.data`
 * that torch ≥ 2.9's exporter writes by default) read into the tensors that reference it.
 *
 * onnxruntime-node can only resolve external data against a model *path*, and against the
 * working directory when given bytes ("External data path validation failed"); the service
 * gives it bytes, because it may rewrite the graph (score-output.ts). So the data is inlined
 * here, after checking that each reference stays inside the model's directory and fits in its
 * file. Every problem is a ModelLoadError naming the file: it is the file that needs fixing
 * (export or copy it again), not a card field.
 */

export interface ModelFile {
  model: ModelProto;
  /** The file's bytes while they still are the model; undefined once external data was inlined (encode the model). */
  bytes: Uint8Array | undefined;
  /** The external data files read, relative to the model's directory (validate-models lists them). */
  externalDataFiles: string[];
}

export async function readModelFile(onnxFile: string): Promise<ModelFile> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(onnxFile);
  } catch (error) {
    throw new ModelLoadError(onnxFile, undefined, `cannot be read (${(error as NodeJS.ErrnoException).code})`);
  }
  if (bytes.length === 0) {
    throw new ModelLoadError(onnxFile, undefined, 'is empty (0 bytes): export the model again or copy the whole file');
  }
  let model: ModelProto;
  try {
    model = decodeModel(bytes);
  } catch (error) {
    throw new ModelLoadError(
      onnxFile,
      undefined,
      `is truncated or not an ONNX model (${bytes.length} bytes; decoding stopped: ${(error as Error).message}): ` +
        'export the model again or copy the whole file',
    );
  }
  if (!model.graph || (model.graph.node ?? []).length === 0) {
    throw new ModelLoadError(
      onnxFile,
      undefined,
      `is not an ONNX model (${bytes.length} bytes, no graph): export the model again or copy the whole file`,
    );
  }
  const external = externalTensors(model);
  if (external.length === 0) return { model, bytes, externalDataFiles: [] };
  const files = await inlineExternalData(external, path.dirname(onnxFile), onnxFile);
  return { model, bytes: undefined, externalDataFiles: files };
}

/** Tensors whose data lives in another file: initializers and Constant node values of the main graph. */
function externalTensors(model: ModelProto): TensorProto[] {
  const graph = model.graph!;
  const tensors: TensorProto[] = [...(graph.initializer ?? [])];
  for (const node of graph.node ?? []) {
    for (const attribute of node.attribute ?? []) {
      if (attribute.t) tensors.push(attribute.t);
      tensors.push(...(attribute.tensors ?? []));
    }
  }
  return tensors.filter((t) => t.dataLocation === DataLocation.EXTERNAL);
}

interface ExternalReference {
  location: string;
  offset: number;
  length: number | undefined;
}

function referenceOf(tensor: TensorProto, onnxFile: string): ExternalReference {
  const entries = new Map((tensor.externalData ?? []).map((e) => [e.key ?? '', e.value ?? '']));
  const location = entries.get('location');
  if (!location) {
    throw new ModelLoadError(onnxFile, undefined, `tensor "${tensor.name}" is external data without a location`);
  }
  const offset = Number(entries.get('offset') ?? 0);
  const length = entries.has('length') ? Number(entries.get('length')) : undefined;
  if (
    !Number.isSafeInteger(offset) ||
    offset < 0 ||
    (length !== undefined && (!Number.isSafeInteger(length) || length < 0))
  ) {
    throw new ModelLoadError(
      onnxFile,
      undefined,
      `tensor "${tensor.name}" has an invalid external data offset or length`,
    );
  }
  return { location, offset, length };
}

async function inlineExternalData(tensors: TensorProto[], directory: string, onnxFile: string): Promise<string[]> {
  const byFile = new Map<string, Array<{ tensor: TensorProto; ref: ExternalReference }>>();
  for (const tensor of tensors) {
    if (tensor.dataType === ElemType.STRING) {
      throw new ModelLoadError(
        onnxFile,
        undefined,
        `tensor "${tensor.name}" keeps strings as external data, which ONNX does not allow`,
      );
    }
    const ref = referenceOf(tensor, onnxFile);
    const resolved = path.resolve(directory, ref.location);
    // Like onnxruntime: a model may only read files in its own directory tree.
    if (path.isAbsolute(ref.location) || path.relative(directory, resolved).startsWith('..')) {
      throw new ModelLoadError(
        onnxFile,
        undefined,
        `tensor "${tensor.name}" points at external data outside the model's directory ("${ref.location}"); ` +
          'save the data next to model.onnx with a relative location',
      );
    }
    const list = byFile.get(resolved) ?? [];
    list.push({ tensor, ref });
    byFile.set(resolved, list);
  }

  for (const [file, refs] of byFile) {
    let size: number;
    try {
      size = (await stat(file)).size;
    } catch (error) {
      throw new ModelLoadError(
        file,
        undefined,
        `cannot be read (${(error as NodeJS.ErrnoException).code}), and model.onnx keeps ${refs.length} of its tensors ` +
          'there (ONNX external data): copy it next to model.onnx',
      );
    }
    const handle = await open(file, 'r');
    try {
      for (const { tensor, ref } of refs) {
        const length = ref.length ?? size - ref.offset;
        if (ref.offset + length > size) {
          throw new ModelLoadError(
            file,
            undefined,
            `is ${size} bytes, but tensor "${tensor.name}" needs bytes ${ref.offset}-${ref.offset + length} of it: ` +
              'the file is truncated or belongs to another export; copy model.onnx and its data file again together',
          );
        }
        const data = Buffer.alloc(length);
        await handle.read(data, 0, length, ref.offset);
        tensor.rawData = data;
        tensor.dataLocation = DataLocation.DEFAULT;
        tensor.externalData = [];
      }
    } finally {
      await handle.close();
    }
  }
  return [...byFile.keys()].map((file) => path.relative(directory, file));
}
