import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { SOURCE_CONDITION_FLAG } from '@byom/contracts/source-condition';
import { ComparisonReport, TrainingReport } from '@byom/contracts/training-reports';

/**
 * How the plugin (compiled JavaScript, running inside the Salesforce CLI) reaches the
 * TypeScript trainer in inference-service/training: it starts a Node process on the
 * training entry script. The trainer is the one that built the bundled model, unchanged,
 * with its own dependencies (onnxruntime-node, onnx-proto) resolved from the project, and
 * a crash or a native-memory spike in onnxruntime cannot take the CLI down with it.
 *
 * Node 22.18+ and 23.6+ run `.ts` files directly (type stripping), so the Node running the
 * CLI is used when it can; otherwise the project's own Node 24 (node_modules/.bin/node,
 * from the `node` dev dependency) is.
 *
 * The entry scripts speak JSON on stdout (training/training-cli.ts): one document,
 * `{"ok": true, "result"}` or `{"ok": false, "error": {"kind", "message"}}`; progress and
 * diagnostics go to stderr. The result is checked with the report's schema from
 * @byom/contracts/training-reports, which the trainer's own types come from.
 */

/** What each entry script reports. */
const REPORTS = {
  'train-csv-model.ts': TrainingReport,
  'evaluate-model-versions.ts': ComparisonReport,
};

interface Reports {
  'train-csv-model.ts': TrainingReport;
  'evaluate-model-versions.ts': ComparisonReport;
}

export type TrainingScript = keyof Reports;

export class TrainingProcessError extends Error {
  override name = 'TrainingProcessError';
  /** `input`: the message says what to change in the data or flags; `setup`: the project cannot train; `internal`: a bug or crash. */
  readonly kind: 'input' | 'setup' | 'internal';
  constructor(kind: TrainingProcessError['kind'], message: string) {
    super(message);
    this.kind = kind;
  }
}

/** Whether this Node version runs `.ts` files without flags. */
export function supportsTypeStripping(version: string): boolean {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
  return major >= 24 || (major === 23 && minor >= 6) || (major === 22 && minor >= 18);
}

/** The Node binary to run the trainer with, or a setup error saying what is missing. */
export function trainerNode(projectRoot: string): string {
  if (supportsTypeStripping(process.versions.node)) return process.execPath;
  const projectNode = path.join(
    projectRoot,
    'node_modules',
    '.bin',
    process.platform === 'win32' ? 'node.cmd' : 'node',
  );
  if (existsSync(projectNode)) return projectNode;
  throw new TrainingProcessError(
    'setup',
    `training needs Node 22.18 or later (this is ${process.version}); run npm ci in ${projectRoot} to install the project's Node 24`,
  );
}

/** The entry script, after checking the project has the trainer and its dependencies installed. */
export function trainingScriptPath(projectRoot: string, script: TrainingScript): string {
  const file = path.join(projectRoot, 'inference-service', 'training', script);
  if (!existsSync(file)) {
    throw new TrainingProcessError(
      'setup',
      `${file} does not exist: run the command inside the BYOM Bridge repository`,
    );
  }
  const installed = ['node_modules', path.join('inference-service', 'node_modules')].some((dir) =>
    existsSync(path.join(projectRoot, dir, 'onnxruntime-node', 'package.json')),
  );
  if (!installed) {
    throw new TrainingProcessError(
      'setup',
      `the trainer's dependencies are not installed: run npm ci in ${projectRoot}`,
    );
  }
  return file;
}

/** Runs an entry script with `--json` and returns its checked result; every stderr line goes to `onProgress`. */
export async function runTrainingScript<S extends TrainingScript>(
  projectRoot: string,
  script: S,
  args: readonly string[],
  onProgress: (line: string) => void = () => undefined,
): Promise<Reports[S]> {
  const file = trainingScriptPath(projectRoot, script);
  const node = trainerNode(projectRoot);
  // The trainer is TypeScript run from source, so @byom/contracts resolves to its sources too.
  const child = spawn(node, ['--disable-warning=ExperimentalWarning', SOURCE_CONDITION_FLAG, file, ...args, '--json'], {
    cwd: path.dirname(path.dirname(file)),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderrTail = '';
  let partial = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-4000);
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) onProgress(line);
  });
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  const last = stdout.trim().split('\n').pop() ?? '';
  let reply: { ok?: boolean; result?: unknown; error?: { kind?: string; message?: string } };
  try {
    reply = JSON.parse(last) as typeof reply;
  } catch {
    throw new TrainingProcessError(
      'internal',
      `${script} exited with code ${exitCode} without a result${stderrTail ? `:\n${stderrTail.trim()}` : ''}`,
    );
  }
  if (reply.ok && reply.result !== undefined) {
    const report = REPORTS[script].safeParse(reply.result);
    if (report.success) return report.data as Reports[S];
    const issues = report.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new TrainingProcessError(
      'internal',
      `${script} reported a result this build of the plugin does not understand (${issues.slice(0, 3).join('; ')}): ` +
        'rebuild the plugin (npm run build --workspace sf-plugin) from the same checkout as the trainer',
    );
  }
  throw new TrainingProcessError(
    reply.error?.kind === 'input' ? 'input' : 'internal',
    reply.error?.message ?? `${script} failed with code ${exitCode}`,
  );
}
