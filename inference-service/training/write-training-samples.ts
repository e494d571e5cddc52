import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { opportunityAmountCsv, opportunityOutcomeCsv } from './opportunity-data.ts';

/**
 * Writes the multiclass and regression samples of docs/training-models.md from their seeded
 * generator (opportunity-data.ts); test/training/training-samples.test.ts checks the committed
 * files are what this writes.
 *
 *   node --conditions=@byom/source inference-service/training/write-training-samples.ts
 */

const samples = new URL('../../docs/samples/', import.meta.url);
await writeFile(new URL('opportunity-outcome.csv', samples), opportunityOutcomeCsv());
await writeFile(new URL('opportunity-amount.csv', samples), opportunityAmountCsv());
process.stdout.write(`wrote opportunity-outcome.csv and opportunity-amount.csv in ${fileURLToPath(samples)}\n`);
