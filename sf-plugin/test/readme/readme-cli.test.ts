import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { expect } from 'chai';
import { REPO_ROOT } from '../support/fixture-project.ts';

/**
 * The README's CLI commands, run as written from the repository root with the Salesforce CLI
 * that `npm ci` installs (npx). A home of its own keeps the developer's sf config untouched.
 * The org line is not run: no org is reachable here.
 */
describe('the README: the sf byom commands work as written', function () {
  this.timeout(120_000);
  let home: string;
  before(() => {
    home = mkdtempSync(path.join(tmpdir(), 'byom-readme-sf-'));
  });
  after(() => rmSync(home, { recursive: true, force: true }));

  const env = () => ({
    ...process.env,
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, 'config'),
    XDG_DATA_HOME: path.join(home, 'data'),
    XDG_CACHE_HOME: path.join(home, 'cache'),
    SF_DISABLE_TELEMETRY: 'true',
    SF_AUTOUPDATE_DISABLE: 'true',
  });

  function readmeCommands(): string[] {
    const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## The `sf byom` CLI plugin'));
    const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
    return block.split('\n').filter((line) => line.trim() !== '');
  }

  it('links the plugin and checks the project with npx sf', () => {
    const [build, doctor] = readmeCommands();
    expect(build).to.equal('npm run build --workspace sf-plugin && npx sf plugins link sf-plugin --no-install');
    expect(doctor).to.equal('npx sf byom doctor');
    // The build already ran (npm test builds the plugin first); the link half runs as written.
    execFileSync('sh', ['-c', build!.split(' && ')[1]!], { cwd: REPO_ROOT, env: env(), stdio: 'pipe' });
    const run = spawnSync('sh', ['-c', doctor!], { cwd: REPO_ROOT, env: env(), encoding: 'utf8' });
    expect(run.status, run.stderr).to.equal(0);
    // CI may force colour (FORCE_COLOR); the words are what the README promises.
    const stdout = stripVTControlCharacters(run.stdout);
    expect(stdout).to.match(/=== Project /);
    expect(stdout).to.match(/0 error\(s\)/);
  });
});
