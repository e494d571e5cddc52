import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { runTrainingScript, supportsTypeStripping, TrainingProcessError } from '../../src/training/training-process.ts';
import { REPO_ROOT } from '../support/fixture-project.ts';

describe('the trainer process', () => {
  it('knows which Node versions run TypeScript files directly', () => {
    expect(supportsTypeStripping('v24.0.0')).to.equal(true);
    expect(supportsTypeStripping('23.6.0')).to.equal(true);
    expect(supportsTypeStripping('22.18.0')).to.equal(true);
    expect(supportsTypeStripping('22.17.1')).to.equal(false);
    expect(supportsTypeStripping('20.19.0')).to.equal(false);
  });

  it('says to run the command in the repository when the project has no trainer', async () => {
    const empty = await mkdtemp(path.join(os.tmpdir(), 'byom-no-trainer-'));
    try {
      await runTrainingScript(empty, 'train-csv-model.ts', []);
      expect.fail('expected a setup error');
    } catch (error) {
      expect(error).to.be.instanceOf(TrainingProcessError);
      expect((error as TrainingProcessError).kind).to.equal('setup');
      expect((error as Error).message).to.contain('run the command inside the BYOM Bridge repository');
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it("passes the trainer's own words on for bad input, as an input error", async () => {
    try {
      await runTrainingScript(REPO_ROOT, 'train-csv-model.ts', [
        '--data',
        '/nonexistent/leads.csv',
        '--label',
        'Y',
        '--name',
        'm',
        '--version',
        '1.0.0',
        '--models-dir',
        os.tmpdir(),
      ]);
      expect.fail('expected an input error');
    } catch (error) {
      expect((error as TrainingProcessError).kind).to.equal('input');
      expect((error as Error).message).to.equal('cannot read /nonexistent/leads.csv (ENOENT)');
    }
  });

  /** A project whose trainer entry script is `source`. */
  async function fakeTrainer(source: string): Promise<string> {
    const fake = await mkdtemp(path.join(os.tmpdir(), 'byom-fake-trainer-'));
    await mkdir(path.join(fake, 'inference-service', 'training'), { recursive: true });
    await mkdir(path.join(fake, 'node_modules', 'onnxruntime-node'), { recursive: true });
    await writeFile(path.join(fake, 'node_modules', 'onnxruntime-node', 'package.json'), '{}');
    await writeFile(path.join(fake, 'inference-service', 'training', 'train-csv-model.ts'), source);
    return fake;
  }

  it('refuses a result that is not a training report, naming what is wrong', async () => {
    const fake = await fakeTrainer(
      `process.stdout.write(JSON.stringify({ ok: true, result: { name: 'm', version: '1.0.0', rows: { total: -1 } } }));\n`,
    );
    try {
      await runTrainingScript(fake, 'train-csv-model.ts', []);
      expect.fail('expected an internal error');
    } catch (error) {
      expect((error as TrainingProcessError).kind).to.equal('internal');
      expect((error as Error).message).to.equal(
        'train-csv-model.ts reported a result this build of the plugin does not understand ' +
          '(directory: Invalid input: expected string, received undefined; ' +
          'sha256: Invalid input: expected string, received undefined; ' +
          'defaultVersion: Invalid input: expected string, received undefined): ' +
          'rebuild the plugin (npm run build --workspace sf-plugin) from the same checkout as the trainer',
      );
    } finally {
      await rm(fake, { recursive: true, force: true });
    }
  });

  it('reports a trainer that dies without a result, with what it printed', async () => {
    const fake = await fakeTrainer("process.stderr.write('out of memory\\n'); process.exit(134);\n");
    try {
      await runTrainingScript(fake, 'train-csv-model.ts', []);
      expect.fail('expected an internal error');
    } catch (error) {
      expect((error as TrainingProcessError).kind).to.equal('internal');
      expect((error as Error).message).to.equal(
        'train-csv-model.ts exited with code 134 without a result:\nout of memory',
      );
    } finally {
      await rm(fake, { recursive: true, force: true });
    }
  });
});
