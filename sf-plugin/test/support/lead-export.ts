import { writeFile } from 'node:fs/promises';
import { generateLeads } from '../../../inference-service/training/lead-data.ts';

/**
 * Lead records as a Bulk API 2.0 query of the Lead_Scoring endpoint's fields returns them
 * (every value quoted, blanks empty, dates as YYYY-MM-DD), made from the seeded synthetic
 * leads the bundled model is trained on, so a model trained on them has something to learn.
 */

export const EXPORT_AS_OF = '2025-03-14';
export const EXPORT_FIELDS = [
  'LeadSource',
  'Industry',
  'Country',
  'AI_Title_Seniority__c',
  'AnnualRevenue',
  'NumberOfEmployees',
  'Email',
  'Phone',
  'LastActivityDate',
  'AI_Email_Opens_30d__c',
  'IsConverted',
];

export function leadExportCsv(rows: number, seed: number): string {
  const leads = generateLeads({ rows, seed });
  const asOf = Date.parse(`${EXPORT_AS_OF}T00:00:00Z`);
  const quote = (value: unknown) =>
    `"${value === null || value === undefined ? '' : String(value).replaceAll('"', '""')}"`;
  const lines = leads.rows.map((lead, i) => {
    const days = lead.DaysSinceLastActivity;
    const lastActivity =
      typeof days === 'number' ? new Date(asOf - days * 86_400_000).toISOString().slice(0, 10) : null;
    return [
      lead.LeadSource,
      lead.Industry,
      lead.Country,
      lead.TitleSeniority,
      lead.AnnualRevenue,
      lead.NumberOfEmployees,
      lead.HasEmail ? `lead${i}@example.com` : null,
      lead.HasPhone ? `+1 415 555 ${String(1000 + i)}` : null,
      lastActivity,
      lead.EmailOpens30d,
      leads.labels[i] === 1 ? 'true' : 'false',
    ]
      .map(quote)
      .join(',');
  });
  return [EXPORT_FIELDS.map(quote).join(','), ...lines].join('\n') + '\n';
}

export async function writeLeadExport(file: string, rows: number, seed: number): Promise<void> {
  await writeFile(file, leadExportCsv(rows, seed));
}
