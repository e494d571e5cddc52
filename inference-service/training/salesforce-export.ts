import type { CsvTable } from './csv-table.ts';

/**
 * Whether a CSV looks like records exported from Salesforce rather than model features: an
 * Id column of record ids, relationship fields (Account.Industry) or custom fields (…__c).
 * Such columns need an endpoint's feature mapping to become the features Apex sends; read
 * as they are, a model sees different inputs than in production (the same data scored AUC
 * 0.557 without the mapping and 0.714 with it). Returns the evidence, or undefined.
 */
const RECORD_ID = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;

export function salesforceExportEvidence(table: CsvTable): string | undefined {
  const evidence: string[] = [];
  const id = table.header.findIndex((name) => name.toLowerCase() === 'id');
  const sample = table.rows.slice(0, 20);
  if (id >= 0 && sample.length > 0 && sample.every((row) => RECORD_ID.test(row[id] ?? ''))) {
    evidence.push('an Id column of record ids');
  }
  const relationship = table.header.find((name) => /^[A-Za-z]\w*\.\w+/.test(name));
  if (relationship) evidence.push(`relationship fields such as ${relationship}`);
  const custom = table.header.find((name) => /__c$/i.test(name));
  if (custom) evidence.push(`custom fields such as ${custom}`);
  return evidence.length > 0 ? evidence.join(', ') : undefined;
}
