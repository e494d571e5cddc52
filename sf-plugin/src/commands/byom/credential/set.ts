import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { connectOrg } from '../../../salesforce/org-connection.ts';
import { Messages } from '@salesforce/core';
import {
  DEFAULT_EXTERNAL_CREDENTIAL,
  DEFAULT_PARAMETERS,
  DEFAULT_PRINCIPAL,
  environmentVariableFor,
  standardInput,
  valueProblem,
  valuesFromLines,
} from '../../../credentials/credential-values.ts';
import {
  ENDPOINT_TYPE,
  findProjectRoot,
  ProjectNotFoundError,
  readProjectMetadata,
  recordsOfType,
  recordText,
} from '../../../project/project-metadata.ts';
import type { ProjectMetadata } from '../../../project/project-metadata.ts';
import { readPrincipalState, storePrincipalCredential } from '../../../salesforce/named-credentials.ts';
import { ServiceClient, ServiceUnreachableError } from '../../../service/service-client.ts';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@byom/sf-plugin-byom', 'byom.credential.set');

export type CredentialSetResult = {
  externalCredential: string;
  principal: string;
  /** Names of the parameters set; never their values. */
  parameters: string[];
  action: 'created' | 'updated';
  /** The service accepted the key before it was stored (--service-url). */
  verified: boolean;
};

export default class CredentialSet extends SfCommand<CredentialSetResult> {
  public static override readonly summary = messages.getMessage('summary');
  public static override readonly description = messages.getMessage('description');
  public static override readonly examples = messages.getMessages('examples');

  public static override readonly flags = {
    'target-org': Flags.requiredOrg({
      summary: messages.getMessage('flags.target-org.summary'),
      // An unknown alias says how to log in, as doctor does (org-connection.ts).
      parse: (input: string) => connectOrg(input),
    }),
    'api-version': Flags.orgApiVersion({
      summary: messages.getMessage('flags.api-version.summary'),
      description: messages.getMessage('flags.api-version.description'),
    }),
    'external-credential': Flags.string({ summary: messages.getMessage('flags.external-credential.summary') }),
    principal: Flags.string({ summary: messages.getMessage('flags.principal.summary') }),
    parameter: Flags.string({ char: 'p', summary: messages.getMessage('flags.parameter.summary'), multiple: true }),
    'from-env': Flags.boolean({ summary: messages.getMessage('flags.from-env.summary'), exclusive: ['from-stdin'] }),
    'from-stdin': Flags.boolean({ summary: messages.getMessage('flags.from-stdin.summary'), exclusive: ['from-env'] }),
    'service-url': Flags.url({ summary: messages.getMessage('flags.service-url.summary') }),
    'project-dir': Flags.directory({ summary: messages.getMessage('flags.project-dir.summary'), default: '.' }),
  };

  public async run(): Promise<CredentialSetResult> {
    const { flags } = await this.parse(CredentialSet);
    const project = await optionalProject(flags['project-dir']);
    const externalCredential = flags['external-credential'] ?? defaultExternalCredential(project);
    const defined = project?.externalCredentials.get(externalCredential);
    const principal =
      flags.principal ?? defined?.principals.find((p) => p.type === 'NamedPrincipal')?.name ?? DEFAULT_PRINCIPAL;
    const known = defined?.formulaParameters.length ? defined.formulaParameters : DEFAULT_PARAMETERS;
    const parameters = flags.parameter?.length ? flags.parameter : known;
    for (const parameter of parameters) {
      if (defined && !known.includes(parameter)) {
        throw messages.createError('error.UnknownParameter', [parameter, known.join(', ')], [known.join(', ')]);
      }
    }

    const values = await this.readValues(
      parameters,
      externalCredential,
      principal,
      flags['from-env'],
      flags['from-stdin'],
    );
    let verified = false;
    const serviceKey = Object.entries(values).find(([name]) => name.toLowerCase() === 'servicekey')?.[1];
    if (flags['service-url'] && serviceKey) {
      await verifyKey(flags['service-url'].toString(), serviceKey);
      verified = true;
      this.log(messages.getMessage('info.verified', [flags['service-url'].toString()]));
    }

    const org = flags['target-org'];
    const conn = org.getConnection(flags['api-version']);
    const username = org.getUsername() ?? conn.getUsername() ?? '';
    const state = await readPrincipalState(conn, externalCredential, principal);
    if (!state.externalCredentialExists) {
      throw messages.createError('error.ExternalCredentialMissing', [externalCredential], [username]);
    }
    if (!state.principalExists) {
      throw messages.createError('error.PrincipalMissing', [externalCredential, principal], [externalCredential]);
    }
    const action = await storePrincipalCredential(conn, externalCredential, principal, values, state);
    this.logSuccess(
      messages.getMessage(action === 'created' ? 'info.created' : 'info.updated', [
        parameters.join(' and '),
        externalCredential,
        principal,
        username,
      ]),
    );
    return { externalCredential, principal, parameters, action, verified };
  }

  private async readValues(
    parameters: string[],
    externalCredential: string,
    principal: string,
    fromEnv: boolean,
    fromStdin: boolean,
  ): Promise<Record<string, string>> {
    let raw: string[];
    if (fromEnv) {
      raw = parameters.map((parameter) => {
        const variable = environmentVariableFor(parameter);
        const value = process.env[variable];
        if (value === undefined || value.trim() === '')
          throw messages.createError('error.MissingEnv', [variable, parameter]);
        return value.trim();
      });
    } else if (fromStdin) {
      const lines = valuesFromLines(await standardInput.read());
      if (lines.length !== parameters.length) {
        throw messages.createError('error.MissingStdin', [lines.length, parameters.length, parameters.join(', ')]);
      }
      raw = lines;
    } else {
      if (!standardInput.isTerminal() || this.jsonEnabled()) {
        const variables = parameters.map(environmentVariableFor).join(' and ');
        throw messages.createError('error.NoTerminal', [parameters.join(' and ')], [variables]);
      }
      raw = [];
      for (const parameter of parameters) {
        raw.push(
          (
            await this.secretPrompt({
              message: messages.getMessage('prompt', [parameter, externalCredential, principal]),
            })
          ).trim(),
        );
      }
    }
    const values: Record<string, string> = {};
    parameters.forEach((parameter, i) => {
      const value = raw[i]!;
      if (value === '') throw messages.createError('error.EmptyValue', [parameter]);
      const problem = valueProblem(parameter, value);
      if (problem) throw messages.createError('error.InvalidValue', [parameter, problem]);
      values[parameter] = value;
    });
    return values;
  }
}

async function optionalProject(projectDir: string): Promise<ProjectMetadata | undefined> {
  try {
    return await readProjectMetadata(findProjectRoot(projectDir));
  } catch (error) {
    // Outside the repository the shipped names are the defaults.
    if (error instanceof ProjectNotFoundError) return undefined;
    throw error;
  }
}

/** The External Credential behind the Named Credential the project's endpoints call. */
function defaultExternalCredential(project: ProjectMetadata | undefined): string {
  if (!project) return DEFAULT_EXTERNAL_CREDENTIAL;
  for (const record of recordsOfType(project, ENDPOINT_TYPE)) {
    const named = project.namedCredentials.get(recordText(record, 'Named_Credential__c') ?? '');
    if (named?.externalCredential) return named.externalCredential;
  }
  const [only] = project.externalCredentials.keys();
  return project.externalCredentials.size === 1 && only ? only : DEFAULT_EXTERNAL_CREDENTIAL;
}

async function verifyKey(serviceUrl: string, key: string): Promise<void> {
  try {
    const response = await new ServiceClient(serviceUrl, key).get('/v1/models', true);
    if (response.status === 401 || response.status === 403) {
      throw messages.createError('error.KeyRejected', [serviceUrl, response.status]);
    }
    if (response.status !== 200) throw new ServiceUnreachableError(`HTTP ${response.status}`);
  } catch (error) {
    if (error instanceof ServiceUnreachableError)
      throw messages.createError('error.ServiceUnreachable', [serviceUrl, error.message]);
    throw error;
  }
}
