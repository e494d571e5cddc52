import type { FeatureMappingEntry } from '@byom/contracts/feature-mapping';
import type { FeatureSpec, ModelCard } from '@byom/contracts/model-card';
import { BOOLEAN_TYPES, NUMBER_TYPES, TEXT_TYPES } from '../project/schema-catalog.ts';
import type { FieldType } from '../project/standard-schema.ts';
import type { FindingLog } from './findings.ts';

/**
 * Does a feature mapping send what a model card expects? The service validates every
 * record against the card (missing features, JSON types, integers), so a mismatch here
 * means every record of the endpoint ends as an Error row. Checked against the card in
 * the project's models directory and, with --service-url, against the card the service
 * actually serves.
 */

/** A mapping entry with what is known about its field (nothing, when the field could not be resolved). */
export interface MappedFeature {
  entry: FeatureMappingEntry;
  fieldType?: FieldType;
  /** Number fields: digits after the decimal point (0 means whole numbers). */
  scale?: number;
}

type SentKind = 'boolean' | 'integer' | 'number' | 'text';

/** Logs every disagreement between the mapping and the card; returns whether there was an error. */
export function checkMappingAgainstCard(
  log: FindingLog,
  where: string,
  mapped: readonly MappedFeature[],
  card: ModelCard,
): boolean {
  const mark = log.findings.length;
  const model = `${card.name} ${card.version}`;
  const byFeature = new Map(mapped.map((m) => [m.entry.feature, m]));
  for (const feature of card.features) {
    if (byFeature.has(feature.name)) continue;
    if (feature.default !== undefined || feature.allowMissing) {
      log.warning('ENDPOINT_FEATURE_DEFAULTED', where, [model, feature.name]);
    } else {
      log.error('ENDPOINT_FEATURE_NOT_MAPPED', where, [model, feature.name], [feature.name]);
    }
  }
  const cardFeatures = new Map(card.features.map((f) => [f.name, f]));
  for (const m of mapped) {
    const feature = cardFeatures.get(m.entry.feature);
    if (!feature) {
      log.warning('ENDPOINT_FEATURE_UNUSED', where, [m.entry.feature, model]);
      continue;
    }
    const sent = sentKind(m);
    if (sent && !fits(feature, sent.kind)) {
      if (feature.type === 'integer' && sent.kind === 'number') {
        log.warning('ENDPOINT_FEATURE_INTEGER_DECIMAL', where, [m.entry.feature, sent.why, model]);
      } else {
        log.error('ENDPOINT_FEATURE_TYPE_MISMATCH', where, [
          m.entry.feature,
          sent.why,
          model,
          describeCardType(feature),
        ]);
      }
    }
    if (m.entry.default !== undefined && !defaultFits(feature, m.entry.default)) {
      log.error('ENDPOINT_FEATURE_DEFAULT_MISMATCH', where, [
        m.entry.feature,
        JSON.stringify(m.entry.default),
        model,
        describeCardType(feature),
      ]);
    }
  }
  return log.hasErrorsSince(mark);
}

/** What JSON type Apex sends for this entry, and why, when it is known. */
function sentKind(m: MappedFeature): { kind: SentKind; why: string } | undefined {
  switch (m.entry.transform) {
    case 'IS_BLANK':
    case 'NOT_BLANK':
      return { kind: 'boolean', why: `${m.entry.transform} sends true/false` };
    case 'DAYS_SINCE':
      return { kind: 'integer', why: 'DAYS_SINCE sends whole days' };
    case 'VALUE': {
      if (!m.fieldType) return undefined;
      const why = `${m.entry.field} is ${/^[aeiou]/.test(m.fieldType) ? 'an' : 'a'} ${m.fieldType} field`;
      if (BOOLEAN_TYPES.has(m.fieldType)) return { kind: 'boolean', why };
      if (m.fieldType === 'int' || (NUMBER_TYPES.has(m.fieldType) && m.scale === 0)) return { kind: 'integer', why };
      if (NUMBER_TYPES.has(m.fieldType)) return { kind: 'number', why };
      if (TEXT_TYPES.has(m.fieldType)) return { kind: 'text', why };
      return undefined;
    }
  }
}

function fits(feature: FeatureSpec, sent: SentKind): boolean {
  switch (feature.type) {
    case 'boolean':
      return sent === 'boolean';
    case 'number':
      return sent === 'number' || sent === 'integer';
    case 'integer':
      return sent === 'integer';
    case 'category':
      return sent === 'text';
  }
}

function defaultFits(feature: FeatureSpec, value: string | number | boolean): boolean {
  switch (feature.type) {
    case 'boolean':
      return typeof value === 'boolean';
    case 'number':
      return typeof value === 'number';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'category':
      return typeof value === 'string';
  }
}

function describeCardType(feature: FeatureSpec): string {
  switch (feature.type) {
    case 'boolean':
      return 'true/false';
    case 'number':
      return 'a number';
    case 'integer':
      return 'a whole number';
    case 'category':
      return 'text (a category)';
  }
}
