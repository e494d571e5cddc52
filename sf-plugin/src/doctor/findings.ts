import { Messages } from '@salesforce/core';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@byom/sf-plugin-byom', 'byom.doctor.findings');

/**
 * One result of one doctor check. Every problem says where it is (a file and field, the
 * org, or the service URL) and how to fix it; passes are kept so `--json` shows what was
 * checked. The wording of every finding lives in messages/byom.doctor.findings.md, keyed by
 * `code` (the stable identifier scripts can match on), with the fix under `<code>.fix`.
 */

/** Values for the %s placeholders of a message. */
export type Tokens = Array<string | number | boolean | null | undefined>;

export type FindingArea = 'project' | 'org' | 'service';
export type FindingStatus = 'pass' | 'warning' | 'error';

export interface Finding {
  area: FindingArea;
  status: FindingStatus;
  code: string;
  where: string;
  message: string;
  fix?: string;
}

export class FindingLog {
  readonly findings: Finding[] = [];
  private readonly area: FindingArea;
  private readonly messages: Messages<string>;

  /** @param bundle the messages file the codes are keyed in (a check module may bring its own). */
  constructor(area: FindingArea, bundle: Messages<string> = messages) {
    this.area = area;
    this.messages = bundle;
  }

  pass(code: string, where: string, tokens: Tokens = []): void {
    this.add('pass', code, where, tokens);
  }

  warning(code: string, where: string, tokens: Tokens = [], fixTokens: Tokens = []): void {
    this.add('warning', code, where, tokens, fixTokens);
  }

  error(code: string, where: string, tokens: Tokens = [], fixTokens: Tokens = []): void {
    this.add('error', code, where, tokens, fixTokens);
  }

  /** Whether any error was logged since `mark` (an earlier `findings.length`). */
  hasErrorsSince(mark: number): boolean {
    return this.findings.slice(mark).some((f) => f.status === 'error');
  }

  private add(status: FindingStatus, code: string, where: string, tokens: Tokens, fixTokens: Tokens = []): void {
    const text = this.messages;
    const finding: Finding = { area: this.area, status, code, where, message: text.getMessage(code, tokens) };
    if (status !== 'pass' && text.messages.has(`${code}.fix`)) finding.fix = text.getMessage(`${code}.fix`, fixTokens);
    this.findings.push(finding);
  }
}
