import { Messages, Org } from '@salesforce/core';
import type { SfError } from '@salesforce/core';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@byom/sf-plugin-byom', 'byom.org');

/**
 * Connects to an org named by alias or username. An org the CLI has no authorization for is
 * the usual first-time mistake (a typo, or an org not logged in on this machine), so it gets
 * one message everywhere, with the command that fixes it.
 */
export async function connectOrg(aliasOrUsername: string): Promise<Org> {
  try {
    return await Org.create({ aliasOrUsername });
  } catch (error) {
    if (isOrgNotAuthorized(error)) throw orgNotAuthorized(aliasOrUsername);
    throw error;
  }
}

export function isOrgNotAuthorized(error: unknown): boolean {
  const name = (error as { name?: string } | undefined)?.name;
  return name === 'NamedOrgNotFoundError' || name === 'NoAuthInfoFound' || name === 'AuthInfoNotFound';
}

/** `sf org login web --alias <name>` for an alias, `--username` is not a login flag: a username logs in as itself. */
export function loginCommand(aliasOrUsername: string): string {
  return aliasOrUsername.includes('@') ? 'sf org login web' : `sf org login web --alias ${aliasOrUsername}`;
}

export function orgNotAuthorized(aliasOrUsername: string): SfError {
  return messages.createError('error.OrgNotAuthorized', [aliasOrUsername], [loginCommand(aliasOrUsername)]);
}
