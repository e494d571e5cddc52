/**
 * Merge fields in AI_Prompt_Template__mdt prompts (`{!Lead.Company}`,
 * `{!Opportunity.Account.Name}`, `{!$Today}`) and the PII_Fields__c list (merge paths, one
 * per line or separated by commas, with or without the braces), read the way force-app's
 * AiPromptTemplateMergeField reads them: a token is `{!` … `}` with no brace inside, and
 * `$Today` is the only global merge field.
 */

const TOKEN = /\{!\s*([^{}]*?)\s*\}/g;
const PATH = /^[A-Za-z][A-Za-z0-9_]*(\s*\.\s*[A-Za-z][A-Za-z0-9_]*)+$/;
export const TODAY = '$today';

export interface MergeFields {
  /** Record merge paths, in order of appearance, each once (compared without case). */
  paths: string[];
  /** Tokens that are not a merge path, global merge fields other than {!$Today}, and `{!` never closed. */
  malformed: string[];
}

export function extractMergeFields(text: string): MergeFields {
  const paths: string[] = [];
  const malformed: string[] = [];
  const seen = new Set<string>();
  for (const match of text.matchAll(TOKEN)) {
    const inner = match[1]!.trim();
    if (inner.toLowerCase() === TODAY) continue;
    if (!PATH.test(inner)) {
      malformed.push(match[0]);
      continue;
    }
    const path = inner.replace(/\s+/g, '');
    if (!seen.has(path.toLowerCase())) {
      seen.add(path.toLowerCase());
      paths.push(path);
    }
  }
  // Apex leaves an unclosed {! in the prompt as text, which the model then sees: report it.
  const withoutTokens = text.replace(TOKEN, '');
  for (const open of withoutTokens.matchAll(/\{!\s*[^{}\s]*/g)) malformed.push(open[0]);
  return { paths, malformed };
}

export function parsePiiFields(text: string): {
  paths: Array<{ line: number; path: string }>;
  malformed: Array<{ line: number; text: string }>;
} {
  const paths: Array<{ line: number; path: string }> = [];
  const malformed: Array<{ line: number; text: string }> = [];
  text.split(/\r?\n/).forEach((row, i) => {
    for (const entry of row.split(',')) {
      const written = entry.trim().replace(/^\{!/, '').replace(/\}$/, '').trim();
      if (written === '') continue;
      if (PATH.test(written)) paths.push({ line: i + 1, path: written.replace(/\s+/g, '') });
      else malformed.push({ line: i + 1, text: entry.trim() });
    }
  });
  return { paths, malformed };
}
