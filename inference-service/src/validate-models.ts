import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { resolveFromCaller } from './config.ts';
import { ExpectedRows, validateModels } from './models/model-validation.ts';
import type { ModelValidation, TensorDescription, ValidationReport } from './models/model-validation.ts';
import { describeSchemaIssues } from '@byom/contracts/schema-issues';

/**
 * npm run validate-models -- <dir> [--expected rows.json] [--tolerance 1e-5] [--json]
 *
 * Checks every model under <dir> (a MODEL_DIR, or one model's directory) as the service would
 * at boot, without serving: prints each model's inputs and outputs and, with --expected, the
 * largest difference between the service's answers and the expected ones. Exits 0 when every
 * model would load (and agrees within the tolerance), 1 when not, 2 on a usage error.
 */

const USAGE = 'usage: npm run validate-models -- <dir> [--expected rows.json] [--tolerance 1e-5] [--json]';

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({
      allowPositionals: true,
      options: {
        expected: { type: 'string' },
        tolerance: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    return usage((error as Error).message);
  }
  if (args.values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (args.positionals.length !== 1) return usage('name one directory');
  const tolerance = args.values.tolerance === undefined ? undefined : Number(args.values.tolerance);
  if (tolerance !== undefined && !(tolerance > 0)) return usage('--tolerance must be a positive number, e.g. 1e-5');

  let expected: ExpectedRows | undefined;
  if (args.values.expected !== undefined) {
    const file = resolveFromCaller(args.values.expected);
    let json: unknown;
    try {
      json = JSON.parse(await readFile(file, 'utf8'));
    } catch (error) {
      return usage(`${file}: ${(error as Error).message}`);
    }
    const parsed = ExpectedRows.safeParse(json);
    if (!parsed.success) return usage(`${file}: ${describeSchemaIssues(parsed.error.issues, ExpectedRows)}`);
    expected = parsed.data;
  }

  const directory = resolveFromCaller(args.positionals[0]!);
  const report = await validateModels(directory, {
    ...(expected ? { expected } : {}),
    ...(tolerance ? { tolerance } : {}),
  });
  process.stdout.write(args.values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  return report.ok ? 0 : 1;
}

function usage(problem: string): number {
  process.stderr.write(`validate-models: ${problem}\n${USAGE}\n`);
  return 2;
}

function formatReport(report: ValidationReport): string {
  const lines = [`Models in ${report.directory}`, ''];
  for (const model of report.models) lines.push(...formatModel(model, report.directory), '');
  if (report.warnings.length > 0) {
    lines.push('warnings:', ...report.warnings.map((w) => `  ${w.file}: ${w.message}`), '');
  }
  if (report.problems.length > 0) lines.push('problems:', ...report.problems.map((p) => `  ${p}`), '');
  lines.push(summary(report));
  return `${lines.join('\n')}\n`;
}

function summary(report: ValidationReport): string {
  const total = report.models.length;
  if (report.ok) {
    const agree = report.models.some((m) => m.expected) ? ' and agree with the expected rows' : '';
    return `${count(total, 'model')} would load${agree}.`;
  }
  const failed = report.models.filter((m) => !m.ok || m.expected?.ok === false).length;
  const parts = [
    ...(failed > 0 ? [`${failed} of ${count(total, 'model')} would not load or disagree`] : []),
    ...(report.problems.length > 0 ? [count(report.problems.length, 'problem')] : []),
  ];
  return `${parts.join('; ')}.`;
}

function formatModel(model: ModelValidation, root: string): string[] {
  const where = path.relative(root, model.directory) || '.';
  const title = model.name ? `${model.name} ${model.version}  (${where})` : where;
  const lines = [`${model.ok ? 'ok  ' : 'FAIL'} ${title}`];
  if (model.problem) lines.push(`     ${model.problem}`);
  if (model.externalData.length > 0) lines.push(`     external data: ${model.externalData.join(', ')}`);
  if (model.inputs.length > 0) lines.push('     inputs:', ...table(model.inputs));
  if (model.outputs.length > 0) lines.push('     outputs:', ...table(model.outputs));
  const expected = model.expected;
  if (expected) {
    lines.push(
      `     expected rows: ${expected.rows}, max difference ${expected.maxError.toExponential(2)}` +
        `${expected.worst ? ` (${expected.worst})` : ''}, tolerance ${expected.tolerance.toExponential()}: ${expected.ok ? 'ok' : 'FAIL'}`,
      ...expected.failedRows.map((row) => `       ${row}`),
    );
  }
  return lines;
}

function table(tensors: TensorDescription[]): string[] {
  const cells = tensors.map((t) => [t.name, t.type, `[${t.shape.join(', ')}]`, t.use ? `<- ${t.use}` : '']);
  const widths = [0, 1, 2].map((c) => Math.max(...cells.map((row) => row[c]!.length)));
  return cells.map((row) =>
    `       ${row.map((cell, c) => (c < 3 ? cell.padEnd(widths[c]!) : cell)).join('  ')}`.trimEnd(),
  );
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

process.exitCode = await main();
