import { MAX_RELATIONSHIP_DEPTH } from '@byom/contracts/feature-mapping';
import type { ProjectMetadata } from './project-metadata.ts';
import { STANDARD_OBJECTS } from './standard-schema.ts';
import type { FieldType } from './standard-schema.ts';

/**
 * The schema doctor checks field paths against: the project's objects and fields over the
 * curated standard fields. `resolvePath` follows a path such as `Account.Owner.Name` the way
 * Apex's AiFeatureMapping does: relationship names up to the last part, then a field.
 */

export interface CatalogField {
  name: string;
  type: FieldType;
  referenceTo?: string[];
  relationshipName?: string;
  scale?: number;
  formula?: boolean;
  /** Where the field is defined: a metadata file, or "standard". */
  source: string;
}

export interface CatalogObject {
  name: string;
  fields: Map<string, CatalogField>;
  /** Known field by field, so a field missing here is an error rather than a guess. */
  known: boolean;
}

export type PathResolution =
  | { ok: true; field: CatalogField; object: string; localField: CatalogField; queryPath: string }
  | { ok: false; problem: string; checkable: boolean };

export class SchemaCatalog {
  private readonly objects = new Map<string, CatalogObject>();

  constructor(project?: ProjectMetadata) {
    for (const [name, standardFields] of STANDARD_OBJECTS) {
      const fields = new Map<string, CatalogField>();
      for (const field of standardFields) fields.set(field.name.toLowerCase(), { ...field, source: 'standard' });
      this.objects.set(name.toLowerCase(), { name, fields, known: true });
    }
    for (const object of project?.objects.values() ?? []) {
      const key = object.name.toLowerCase();
      const entry = this.objects.get(key) ?? { name: object.name, fields: new Map(), known: object.file !== undefined };
      for (const field of object.fields.values()) {
        const catalogField: CatalogField = {
          name: field.name,
          type: field.type,
          formula: field.formula,
          source: field.file,
        };
        if (field.referenceTo) catalogField.referenceTo = field.referenceTo;
        if (field.relationshipName) catalogField.relationshipName = field.relationshipName;
        if (field.scale !== undefined) catalogField.scale = field.scale;
        entry.fields.set(field.name.toLowerCase(), catalogField);
      }
      if (object.file !== undefined) {
        entry.known = true;
        // Every custom object has these, whether or not the project lists them.
        for (const [name, type] of [
          ['Id', 'id'],
          ['Name', 'string'],
          ['CreatedDate', 'datetime'],
          ['LastModifiedDate', 'datetime'],
          ['SystemModstamp', 'datetime'],
          ['IsDeleted', 'boolean'],
          ['OwnerId', 'reference'],
        ] as const) {
          if (!entry.fields.has(name.toLowerCase()))
            entry.fields.set(name.toLowerCase(), { name, type, source: 'standard' });
        }
      }
      this.objects.set(key, entry);
    }
  }

  /** The object, when the project defines it or it is one of the curated standard objects. */
  object(name: string): CatalogObject | undefined {
    const object = this.objects.get(name.trim().toLowerCase());
    return object?.known ? object : undefined;
  }

  /** Whether `name` could be an object this catalog cannot see (a standard or packaged one). */
  static isUncheckable(name: string): boolean {
    const parts = name.split('__');
    // Std objects (Case) and packaged objects (ns__Obj__c) may exist in an org without being in the project.
    return !name.endsWith('__c') || parts.length > 2;
  }

  /** Resolves `Field`, `Relationship.Field` or deeper, starting at `objectName`. */
  resolvePath(objectName: string, fieldPath: string, maxDepth = MAX_RELATIONSHIP_DEPTH): PathResolution {
    const parts = fieldPath.trim().split('.');
    // `Account.Owner.Name` is two relationships and a field, as Apex counts them.
    if (parts.length - 1 > maxDepth) {
      return { ok: false, problem: `"${fieldPath}" goes more than ${maxDepth} relationships deep`, checkable: true };
    }
    if (parts.some((part) => !/^[A-Za-z][A-Za-z0-9_]*$/.test(part))) {
      return {
        ok: false,
        problem: `"${fieldPath}" is not a field path such as Industry or Account.Industry`,
        checkable: true,
      };
    }
    // The objects the path has reached: several after a lookup to several objects (Lead.Owner).
    let currentNames = [objectName];
    const queryParts: string[] = [];
    let localField: CatalogField | undefined;
    for (let i = 0; i < parts.length - 1; i++) {
      if (currentNames.length > 1) {
        return {
          ok: false,
          problem:
            `"${parts[i - 1]}" is a lookup to several objects (${currentNames.join(', ')}); ` +
            'a path cannot go past it, only to one of its fields such as Name',
          checkable: true,
        };
      }
      const current = this.object(currentNames[0]!);
      if (!current) return unknownObject(currentNames[0]!);
      const relationship = [...current.fields.values()].find(
        (f) => f.relationshipName?.toLowerCase() === parts[i]!.toLowerCase(),
      );
      if (!relationship) {
        const asField = current.fields.get(parts[i]!.toLowerCase());
        const hint = asField?.relationshipName ? ` (use the relationship name ${asField.relationshipName})` : '';
        return {
          ok: false,
          problem: `${current.name} has no relationship named "${parts[i]}"${hint}`,
          checkable: true,
        };
      }
      if (i === 0) localField = relationship;
      queryParts.push(relationship.relationshipName!);
      currentNames = relationship.referenceTo?.length ? relationship.referenceTo : [''];
    }
    // The field must exist on every object the path may have reached.
    let leaf: CatalogField | undefined;
    for (const name of currentNames) {
      const current = this.object(name);
      if (!current) return unknownObject(name);
      const found = current.fields.get(parts[parts.length - 1]!.toLowerCase());
      if (!found) {
        const problem = `field "${parts[parts.length - 1]}" does not exist on ${current.name}`;
        return { ok: false, problem, checkable: true };
      }
      leaf ??= found;
    }
    queryParts.push(leaf!.name);
    return {
      ok: true,
      field: leaf!,
      object: currentNames.join('|'),
      localField: localField ?? leaf!,
      queryPath: queryParts.join('.'),
    };
  }
}

function unknownObject(name: string): PathResolution {
  return {
    ok: false,
    problem: `object "${name}" is neither in the project's metadata nor among the standard objects doctor knows`,
    checkable: !SchemaCatalog.isUncheckable(name),
  };
}

export const BOOLEAN_TYPES: ReadonlySet<FieldType> = new Set(['boolean']);
export const NUMBER_TYPES: ReadonlySet<FieldType> = new Set(['int', 'double', 'currency', 'percent']);
export const DATE_TYPES: ReadonlySet<FieldType> = new Set(['date', 'datetime']);
/** Types Apex sends as JSON text. */
export const TEXT_TYPES: ReadonlySet<FieldType> = new Set([
  'id',
  'string',
  'textarea',
  'picklist',
  'multipicklist',
  'email',
  'phone',
  'url',
  'reference',
  'encryptedstring',
  'date',
  'datetime',
  'time',
]);
