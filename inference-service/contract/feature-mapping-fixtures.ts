import { fileURLToPath } from 'node:url';
import { parseFeatureMapping } from '@byom/contracts/feature-mapping';
import type { FeatureMappingEntry } from '@byom/contracts/feature-mapping';

/**
 * Feature_Mapping__c values read by @byom/contracts/feature-mapping (what `sf byom doctor`,
 * `sf byom model train` and the trainer use), written to the static resource
 * `AiFeatureMappingFixtures.json` with the verdict and the entries the contract gives.
 * AiFeatureMappingTest reads every case with AiFeatureMapping (parseAll, then resolve on
 * Lead) and must reach the same verdict and entries, so Apex and the contract cannot drift
 * apart silently. generate-apex-fixtures.ts writes and checks the file.
 *
 * Valid cases use only standard Lead fields of the right types, so resolve succeeds in any org.
 */

export const FEATURE_MAPPING_OUTPUT_FILE = fileURLToPath(
  new URL('../../force-app/main/default/staticresources/AiFeatureMappingFixtures.json', import.meta.url),
);

interface MappingCase {
  description: string;
  /** The Feature_Mapping__c text, as an admin writes it. */
  mapping: string;
  /** What the case is meant to show; the generator refuses a case the contract reads otherwise. */
  valid: boolean;
}

const json = (value: unknown) => JSON.stringify(value);

export const FEATURE_MAPPING_CASES: MappingCase[] = [
  {
    description: 'Every transform, a parent field, and scalar defaults.',
    mapping: json([
      { feature: 'LeadSource', field: 'LeadSource' },
      { feature: 'HasEmail', field: 'Email', transform: 'NOT_BLANK' },
      { feature: 'NoPhone', field: 'Phone', transform: 'IS_BLANK' },
      { feature: 'DaysSinceLastActivity', field: 'LastActivityDate', transform: 'DAYS_SINCE', default: 365 },
      { feature: 'DaysSinceCreated', field: 'CreatedDate', transform: 'DAYS_SINCE' },
      { feature: 'Employees', field: 'NumberOfEmployees', default: 0 },
      { feature: 'Revenue', field: 'AnnualRevenue', default: 0.5 },
      { feature: 'Industry', field: 'Industry', default: 'Other' },
      { feature: 'AccountIndustry', field: 'ConvertedAccount.Industry', default: false },
    ]),
    valid: true,
  },
  {
    description: 'Transforms in any case and blank ones mean VALUE; a null default is no default.',
    mapping: json([
      { feature: 'HasEmail', field: 'Email', transform: 'not_blank' },
      { feature: 'Days', field: 'LastActivityDate', transform: 'Days_Since' },
      { feature: 'Company', field: 'Company', transform: ' ', default: null },
    ]),
    valid: true,
  },
  {
    description: 'Feature names and field paths are trimmed.',
    mapping: '[{"feature": "  HasEmail ", "field": " Email  ", "transform": " NOT_BLANK "}]',
    valid: true,
  },
  {
    description: 'A path of five relationships (the most SOQL follows), each resolvable in every org.',
    mapping: json([{ feature: 'ManagerChain', field: 'ConvertedAccount.Owner.Manager.Manager.Manager.Name' }]),
    valid: true,
  },
  {
    description: 'Feature names are case-sensitive: two features that differ only in case are two features.',
    mapping: json([
      { feature: 'Email', field: 'Email' },
      { feature: 'email', field: 'Email', transform: 'NOT_BLANK' },
    ]),
    valid: true,
  },
  { description: 'An empty value.', mapping: '', valid: false },
  { description: 'Whitespace only.', mapping: '   ', valid: false },
  { description: 'Not JSON.', mapping: '[{"feature": "Industry",, }]', valid: false },
  { description: 'One entry, not a list.', mapping: '{"feature": "Industry", "field": "Industry"}', valid: false },
  { description: 'An empty list.', mapping: '[]', valid: false },
  { description: 'An entry that is not an object.', mapping: '["Industry"]', valid: false },
  { description: 'An entry without a feature.', mapping: json([{ field: 'Industry' }]), valid: false },
  { description: 'An entry with a blank feature.', mapping: json([{ feature: ' ', field: 'Industry' }]), valid: false },
  { description: 'An entry without a field.', mapping: json([{ feature: 'Industry' }]), valid: false },
  {
    description: 'A feature mapped twice.',
    mapping: json([
      { feature: 'Industry', field: 'Industry' },
      { feature: 'Industry', field: 'ConvertedAccount.Industry' },
    ]),
    valid: false,
  },
  {
    description: 'An unknown transform.',
    mapping: json([{ feature: 'Len', field: 'Email', transform: 'LENGTH' }]),
    valid: false,
  },
  {
    description: 'A default that is a list.',
    mapping: json([{ feature: 'Industry', field: 'Industry', default: ['Other'] }]),
    valid: false,
  },
  {
    description: 'A default that is an object.',
    mapping: json([{ feature: 'Industry', field: 'Industry', default: { value: 'Other' } }]),
    valid: false,
  },
  {
    description: 'A path of six relationships: SOQL follows five at most.',
    mapping: json([{ feature: 'Deep', field: 'ConvertedAccount.Owner.Manager.Manager.Manager.Manager.Name' }]),
    valid: false,
  },
  {
    description: 'One good entry does not save a bad one.',
    mapping: json([
      { feature: 'Industry', field: 'Industry' },
      { feature: 'Len', field: 'Email', transform: 'LENGTH' },
    ]),
    valid: false,
  },
];

export interface FeatureMappingFixture {
  description: string;
  mapping: string;
  valid: boolean;
  /** Valid cases: the entries, in order. */
  entries: FeatureMappingEntry[] | null;
  /** Invalid cases: what the contract says is wrong (Apex may word it differently and stops at the first). */
  problems: string[] | null;
}

/** The cases with the contract's verdict; throws when a case is not what it says it is. */
export function buildFeatureMappingFixtures(cases: readonly MappingCase[]): FeatureMappingFixture[] {
  return cases.map(({ description, mapping, valid }) => {
    const { entries, problems } = parseFeatureMapping(mapping);
    if (valid !== (problems.length === 0)) {
      throw new Error(
        `feature mapping case "${description}" is labelled ${valid ? 'valid' : 'invalid'}, ` +
          `but the contract says: ${problems.join('; ') || 'valid'}`,
      );
    }
    return { description, mapping, valid, entries: valid ? entries : null, problems: valid ? null : problems };
  });
}

export function renderFeatureMappingFixtures(generatedBy: string): string {
  const document = {
    generatedBy,
    contract:
      '@byom/contracts/feature-mapping: parseFeatureMapping, read by AiFeatureMappingTest with AiFeatureMapping',
    cases: buildFeatureMappingFixtures(FEATURE_MAPPING_CASES),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
