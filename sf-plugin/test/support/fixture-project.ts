import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A throwaway copy of test/fixtures/project (a small, correct BYOM project) with the
 * repository's bundled lead-scoring model, for tests that then break one thing on purpose.
 */

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const FIXTURE = fileURLToPath(new URL('../fixtures/project/', import.meta.url));
export const METADATA = 'force-app/main/default';
export const ENDPOINT_FILE = `${METADATA}/customMetadata/AI_Model_Endpoint.Lead_Scoring.md-meta.xml`;
export const TEMPLATE_FILE = `${METADATA}/customMetadata/AI_Prompt_Template.Opportunity_Brief.md-meta.xml`;

export class FixtureProject {
  readonly root: string;

  private constructor(root: string) {
    this.root = root;
  }

  static async create(): Promise<FixtureProject> {
    const root = await mkdtemp(path.join(os.tmpdir(), 'byom-fixture-'));
    await cp(FIXTURE, root, { recursive: true });
    const models = path.join(root, 'inference-service', 'models');
    await mkdir(models, { recursive: true });
    await cp(path.join(REPO_ROOT, 'inference-service', 'models', 'lead-scoring'), path.join(models, 'lead-scoring'), {
      recursive: true,
    });
    return new FixtureProject(root);
  }

  /**
   * Links the repository's trainer and installed dependencies into the project, as they
   * are in the real repository, for the model commands (which run the trainer in place).
   */
  async linkTrainer(): Promise<void> {
    await symlink(
      path.join(REPO_ROOT, 'inference-service', 'training'),
      this.file('inference-service/training'),
      'dir',
    );
    await symlink(path.join(REPO_ROOT, 'node_modules'), this.file('node_modules'), 'dir');
  }

  file(relative: string): string {
    return path.join(this.root, relative);
  }

  async read(relative: string): Promise<string> {
    return readFile(this.file(relative), 'utf8');
  }

  async write(relative: string, text: string): Promise<void> {
    await mkdir(path.dirname(this.file(relative)), { recursive: true });
    await writeFile(this.file(relative), text);
  }

  /** Replaces text in a file; fails when the text is not there, so a fixture change cannot silently void a test. */
  async replace(relative: string, from: string | RegExp, to: string): Promise<void> {
    const text = await this.read(relative);
    const changed = text.replace(from, to);
    if (changed === text) throw new Error(`${relative} does not contain ${String(from)}`);
    await this.write(relative, changed);
  }

  async remove(relative: string): Promise<void> {
    await rm(this.file(relative), { recursive: true, force: true });
  }

  async dispose(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
  }
}
