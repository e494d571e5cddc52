import path from 'node:path';
import { Flags, SfCommand, StandardColors } from '@salesforce/sf-plugins-core';
import { Messages, SfError } from '@salesforce/core';
import type { Org } from '@salesforce/core';
import { checkIntegrationUser } from '../../doctor/integration-user-checks.ts';
import { checkOrg } from '../../doctor/org-checks.ts';
import { checkProject } from '../../doctor/project-checks.ts';
import { checkService } from '../../doctor/service-checks.ts';
import { FindingLog } from '../../doctor/findings.ts';
import type { Finding, FindingArea } from '../../doctor/findings.ts';
import { findProjectRoot, ProjectNotFoundError, readProjectMetadata } from '../../project/project-metadata.ts';
import { connectOrg, loginCommand } from '../../salesforce/org-connection.ts';
import { SERVICE_KEY_ENV, ServiceClient } from '../../service/service-client.ts';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@byom/sf-plugin-byom', 'byom.doctor');

export type DoctorResult = {
  ok: boolean;
  errors: number;
  warnings: number;
  projectDir: string;
  findings: Finding[];
};

/**
 * `sf byom doctor`: offline project checks, then the org and the service when asked.
 * The org flag has no default on purpose: doctor touches an org only when it is named.
 */
export default class Doctor extends SfCommand<DoctorResult> {
  public static override readonly summary = messages.getMessage('summary');
  public static override readonly description = messages.getMessage('description');
  public static override readonly examples = messages.getMessages('examples');

  public static override readonly flags = {
    'project-dir': Flags.directory({
      summary: messages.getMessage('flags.project-dir.summary'),
      default: '.',
      exists: true,
    }),
    'models-dir': Flags.directory({
      summary: messages.getMessage('flags.models-dir.summary'),
      description: messages.getMessage('flags.models-dir.description'),
    }),
    // A name, connected after the offline checks: an org that is not authorized must not stop them.
    'target-org': Flags.string({
      char: 'o',
      summary: messages.getMessage('flags.target-org.summary'),
    }),
    'service-url': Flags.url({
      summary: messages.getMessage('flags.service-url.summary'),
      description: messages.getMessage('flags.service-url.description'),
    }),
  };

  public async run(): Promise<DoctorResult> {
    const { flags } = await this.parse(Doctor);
    let root: string;
    try {
      root = findProjectRoot(flags['project-dir']);
    } catch (error) {
      if (error instanceof ProjectNotFoundError) throw messages.createError('error.ProjectNotFound', [error.message]);
      throw error;
    }
    const project = await readProjectMetadata(root);
    const modelsDir = path.resolve(flags['models-dir'] ?? path.join(root, 'inference-service', 'models'));

    const checked = await checkProject(project, modelsDir);
    const findings = [...checked.log.findings];
    let org: Org | undefined;
    if (flags['target-org']) {
      org = await this.connect(flags['target-org'], findings);
      if (org) findings.push(...(await checkOrg(org, project, checked, flags['service-url']?.toString())).findings);
    }
    findings.push(...(await checkIntegrationUser(project, org)));
    if (flags['service-url']) {
      const key = process.env[SERVICE_KEY_ENV];
      const client = new ServiceClient(flags['service-url'].toString(), key);
      findings.push(...(await checkService(client, SERVICE_KEY_ENV, Boolean(key), checked.endpoints)).findings);
    }

    const errors = findings.filter((f) => f.status === 'error').length;
    const warnings = findings.filter((f) => f.status === 'warning').length;
    this.report(findings, root, flags['service-url']?.toString());
    this.log(messages.getMessage('summary.line', [errors, warnings, findings.length - errors - warnings]));
    if (errors > 0) process.exitCode = 1;
    return { ok: errors === 0, errors, warnings, projectDir: root, findings };
  }

  /** The org, or undefined with an org finding that says how to log in (the other checks still run). */
  private async connect(aliasOrUsername: string, findings: Finding[]): Promise<Org | undefined> {
    try {
      return await connectOrg(aliasOrUsername);
    } catch (error) {
      if (!(error instanceof SfError) || error.name !== 'OrgNotAuthorizedError') throw error;
      const log = new FindingLog('org');
      log.error('ORG_NOT_AUTHORIZED', `org ${aliasOrUsername}`, [aliasOrUsername], [loginCommand(aliasOrUsername)]);
      findings.push(...log.findings);
      return undefined;
    }
  }

  private report(findings: Finding[], root: string, serviceUrl: string | undefined): void {
    const headers: Record<FindingArea, string> = {
      project: messages.getMessage('header.project', [root]),
      org: messages.getMessage('header.org'),
      service: messages.getMessage('header.service', [serviceUrl ?? '']),
    };
    for (const area of ['project', 'org', 'service'] as const) {
      const inArea = findings.filter((f) => f.area === area);
      if (inArea.length === 0) continue;
      this.styledHeader(headers[area]);
      // Problems first: they are what the reader came for.
      for (const finding of [...inArea].sort((a, b) => rank(a) - rank(b))) {
        const mark =
          finding.status === 'error'
            ? StandardColors.error('✖')
            : finding.status === 'warning'
              ? StandardColors.warning('!')
              : StandardColors.success('✔');
        this.log(`${mark} ${finding.message}`);
        this.log(`    ${finding.where}`);
        if (finding.fix) this.log(`    ${messages.getMessage('fix', [finding.fix])}`);
      }
      this.log('');
    }
  }
}

function rank(finding: Finding): number {
  return finding.status === 'error' ? 0 : finding.status === 'warning' ? 1 : 2;
}
