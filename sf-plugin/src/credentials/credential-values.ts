import { SERVICE_KEY_ENV, SIGNING_SECRET_ENV } from '../service/service-client.ts';

/**
 * Where the secrets for an External Credential principal come from, and the checks they
 * must pass before they are sent to the org. The minimum lengths are the service's own
 * (inference-service/src/config.ts): a shorter key or secret can never match the service's.
 */

export const DEFAULT_EXTERNAL_CREDENTIAL = 'BYOM_Inference';
export const DEFAULT_PRINCIPAL = 'ServicePrincipal';
export const DEFAULT_PARAMETERS = ['ServiceKey', 'SigningSecret'];

const MIN_LENGTHS: Record<string, number> = { servicekey: 16, signingsecret: 32 };

/** The environment variable holding a parameter's value: BYOM_SERVICE_KEY, BYOM_SIGNING_SECRET, else BYOM_<NAME>. */
export function environmentVariableFor(parameter: string): string {
  switch (parameter.toLowerCase()) {
    case 'servicekey':
      return SERVICE_KEY_ENV;
    case 'signingsecret':
      return SIGNING_SECRET_ENV;
    default:
      return `BYOM_${parameter.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}`;
  }
}

/** What is wrong with a value, or undefined when it can be stored. */
export function valueProblem(parameter: string, value: string): string | undefined {
  if (/\s/.test(value)) return 'contains spaces or line breaks';
  if (value.includes(',')) return 'contains a comma: paste one key, not the whole comma-separated list';
  const minimum = MIN_LENGTHS[parameter.toLowerCase()];
  if (minimum !== undefined && value.length < minimum) {
    return `is ${value.length} characters long; the service accepts only ${minimum} or more`;
  }
  return undefined;
}

/** Values from standard input: one per line, in parameter order; blank lines are skipped. */
export function valuesFromLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

/** The seam tests replace: everything piped to the command. */
export const standardInput = {
  async read(): Promise<string> {
    let text = '';
    process.stdin.setEncoding('utf8');
    for await (const chunk of process.stdin) text += chunk as string;
    return text;
  },
  isTerminal(): boolean {
    return Boolean(process.stdin.isTTY);
  },
};
