/**
 * The standard fields and relationships of the objects BYOM Bridge scores and prompts on,
 * as `describe` reports them, so `sf byom doctor` can check field paths without an org.
 * Custom fields come from the project's metadata; with `--target-org` doctor also checks
 * the org's real schema, which covers fields this list does not (state and country
 * picklists, fields from features an org has switched on).
 *
 * Types are describe's SOAP types: the same words `sf sobject describe` prints.
 */

export type FieldType =
  | 'id'
  | 'string'
  | 'textarea'
  | 'picklist'
  | 'multipicklist'
  | 'email'
  | 'phone'
  | 'url'
  | 'boolean'
  | 'int'
  | 'double'
  | 'currency'
  | 'percent'
  | 'date'
  | 'datetime'
  | 'time'
  | 'reference'
  | 'address'
  | 'location'
  | 'encryptedstring';

export interface StandardField {
  name: string;
  type: FieldType;
  /** Reference fields: the objects they point to (the first is the one a path follows). */
  referenceTo?: string[];
  /** Reference fields: the name used in paths, `Account` for `AccountId`. */
  relationshipName?: string;
}

type FieldSpec = string | [string, FieldType] | [string, 'reference', string, string];

/**
 * `'Name'` is a string field; `['Amount', 'currency']`; `['AccountId', 'reference', 'Account', 'Account']`;
 * a lookup to several objects lists them with `|`: `['OwnerId', 'reference', 'Group|User', 'Owner']`.
 */
function fields(...specs: FieldSpec[]): StandardField[] {
  return specs.map((spec) => {
    if (typeof spec === 'string') return { name: spec, type: 'string' };
    if (spec.length === 2) return { name: spec[0], type: spec[1] };
    return { name: spec[0], type: 'reference', referenceTo: spec[2].split('|'), relationshipName: spec[3] };
  });
}

const AUDIT = fields(
  ['Id', 'id'],
  ['IsDeleted', 'boolean'],
  ['CreatedDate', 'datetime'],
  ['CreatedById', 'reference', 'User', 'CreatedBy'],
  ['LastModifiedDate', 'datetime'],
  ['LastModifiedById', 'reference', 'User', 'LastModifiedBy'],
  ['SystemModstamp', 'datetime'],
);

const OWNED = fields(['OwnerId', 'reference', 'User', 'Owner']);
/** Leads (like cases) can be owned by a queue: their Owner is a User or a Group. */
const OWNED_BY_USER_OR_QUEUE = fields(['OwnerId', 'reference', 'Group|User', 'Owner']);

const LEAD = fields(
  ['MasterRecordId', 'reference', 'Lead', 'MasterRecord'],
  'LastName',
  'FirstName',
  ['Salutation', 'picklist'],
  'MiddleName',
  'Suffix',
  'Name',
  'Title',
  'Company',
  ['Street', 'textarea'],
  'City',
  'State',
  'PostalCode',
  'Country',
  ['Latitude', 'double'],
  ['Longitude', 'double'],
  ['GeocodeAccuracy', 'picklist'],
  ['Address', 'address'],
  ['Phone', 'phone'],
  ['MobilePhone', 'phone'],
  ['Fax', 'phone'],
  ['Email', 'email'],
  ['Website', 'url'],
  ['PhotoUrl', 'url'],
  ['Description', 'textarea'],
  ['LeadSource', 'picklist'],
  ['Status', 'picklist'],
  ['Industry', 'picklist'],
  ['Rating', 'picklist'],
  ['AnnualRevenue', 'currency'],
  ['NumberOfEmployees', 'int'],
  ['HasOptedOutOfEmail', 'boolean'],
  ['HasOptedOutOfFax', 'boolean'],
  ['DoNotCall', 'boolean'],
  ['IsConverted', 'boolean'],
  ['ConvertedDate', 'date'],
  ['ConvertedAccountId', 'reference', 'Account', 'ConvertedAccount'],
  ['ConvertedContactId', 'reference', 'Contact', 'ConvertedContact'],
  ['ConvertedOpportunityId', 'reference', 'Opportunity', 'ConvertedOpportunity'],
  ['IsUnreadByOwner', 'boolean'],
  ['LastActivityDate', 'date'],
  ['LastViewedDate', 'datetime'],
  ['LastReferencedDate', 'datetime'],
  ['LastTransferDate', 'date'],
  'Jigsaw',
  'JigsawContactId',
  'EmailBouncedReason',
  ['EmailBouncedDate', 'datetime'],
  ['IndividualId', 'reference', 'Individual', 'Individual'],
);

const OPPORTUNITY = fields(
  ['AccountId', 'reference', 'Account', 'Account'],
  ['IsPrivate', 'boolean'],
  'Name',
  ['Description', 'textarea'],
  ['StageName', 'picklist'],
  ['Amount', 'currency'],
  ['Probability', 'percent'],
  ['ExpectedRevenue', 'currency'],
  ['TotalOpportunityQuantity', 'double'],
  ['CloseDate', 'date'],
  ['Type', 'picklist'],
  'NextStep',
  ['LeadSource', 'picklist'],
  ['IsClosed', 'boolean'],
  ['IsWon', 'boolean'],
  ['ForecastCategory', 'picklist'],
  ['ForecastCategoryName', 'picklist'],
  ['CampaignId', 'reference', 'Campaign', 'Campaign'],
  ['HasOpportunityLineItem', 'boolean'],
  ['Pricebook2Id', 'reference', 'Pricebook2', 'Pricebook2'],
  ['ContactId', 'reference', 'Contact', 'Contact'],
  ['LastActivityDate', 'date'],
  ['PushCount', 'int'],
  ['LastStageChangeDate', 'datetime'],
  ['FiscalQuarter', 'int'],
  ['FiscalYear', 'int'],
  'Fiscal',
  ['LastViewedDate', 'datetime'],
  ['LastReferencedDate', 'datetime'],
  ['HasOpenActivity', 'boolean'],
  ['HasOverdueTask', 'boolean'],
);

const ACCOUNT = fields(
  ['MasterRecordId', 'reference', 'Account', 'MasterRecord'],
  'Name',
  ['Type', 'picklist'],
  ['ParentId', 'reference', 'Account', 'Parent'],
  ['BillingStreet', 'textarea'],
  'BillingCity',
  'BillingState',
  'BillingPostalCode',
  'BillingCountry',
  ['BillingLatitude', 'double'],
  ['BillingLongitude', 'double'],
  ['BillingAddress', 'address'],
  ['ShippingStreet', 'textarea'],
  'ShippingCity',
  'ShippingState',
  'ShippingPostalCode',
  'ShippingCountry',
  ['ShippingLatitude', 'double'],
  ['ShippingLongitude', 'double'],
  ['ShippingAddress', 'address'],
  ['Phone', 'phone'],
  ['Fax', 'phone'],
  'AccountNumber',
  ['Website', 'url'],
  ['PhotoUrl', 'url'],
  'Sic',
  ['Industry', 'picklist'],
  ['AnnualRevenue', 'currency'],
  ['NumberOfEmployees', 'int'],
  ['Ownership', 'picklist'],
  'TickerSymbol',
  ['Description', 'textarea'],
  ['Rating', 'picklist'],
  'Site',
  ['AccountSource', 'picklist'],
  'SicDesc',
  ['LastActivityDate', 'date'],
  ['LastViewedDate', 'datetime'],
  ['LastReferencedDate', 'datetime'],
  'Jigsaw',
  'JigsawCompanyId',
);

const CONTACT = fields(
  ['MasterRecordId', 'reference', 'Contact', 'MasterRecord'],
  ['AccountId', 'reference', 'Account', 'Account'],
  'LastName',
  'FirstName',
  ['Salutation', 'picklist'],
  'MiddleName',
  'Suffix',
  'Name',
  ['OtherStreet', 'textarea'],
  'OtherCity',
  'OtherState',
  'OtherPostalCode',
  'OtherCountry',
  ['OtherAddress', 'address'],
  ['MailingStreet', 'textarea'],
  'MailingCity',
  'MailingState',
  'MailingPostalCode',
  'MailingCountry',
  ['MailingAddress', 'address'],
  ['Phone', 'phone'],
  ['Fax', 'phone'],
  ['MobilePhone', 'phone'],
  ['HomePhone', 'phone'],
  ['OtherPhone', 'phone'],
  ['AssistantPhone', 'phone'],
  ['ReportsToId', 'reference', 'Contact', 'ReportsTo'],
  ['Email', 'email'],
  'Title',
  'Department',
  'AssistantName',
  ['LeadSource', 'picklist'],
  ['Birthdate', 'date'],
  ['Description', 'textarea'],
  ['HasOptedOutOfEmail', 'boolean'],
  ['HasOptedOutOfFax', 'boolean'],
  ['DoNotCall', 'boolean'],
  ['LastActivityDate', 'date'],
  ['LastCURequestDate', 'datetime'],
  ['LastCUUpdateDate', 'datetime'],
  ['LastViewedDate', 'datetime'],
  ['LastReferencedDate', 'datetime'],
  'EmailBouncedReason',
  ['EmailBouncedDate', 'datetime'],
  ['IsEmailBounced', 'boolean'],
  ['PhotoUrl', 'url'],
  'Jigsaw',
  'JigsawContactId',
  ['IndividualId', 'reference', 'Individual', 'Individual'],
);

/** The user behind Owner, CreatedBy and LastModifiedBy paths. */
const USER = fields(
  'Username',
  'LastName',
  'FirstName',
  'Name',
  'CompanyName',
  'Division',
  'Department',
  'Title',
  ['Street', 'textarea'],
  'City',
  'State',
  'PostalCode',
  'Country',
  ['Email', 'email'],
  ['Phone', 'phone'],
  ['MobilePhone', 'phone'],
  'Alias',
  ['IsActive', 'boolean'],
  ['TimeZoneSidKey', 'picklist'],
  ['LocaleSidKey', 'picklist'],
  ['UserRoleId', 'reference', 'UserRole', 'UserRole'],
  ['ProfileId', 'reference', 'Profile', 'Profile'],
  ['ManagerId', 'reference', 'User', 'Manager'],
  ['UserType', 'picklist'],
  'EmployeeNumber',
  'FederationIdentifier',
  ['LastLoginDate', 'datetime'],
);

/** A queue or public group: the other kind of Lead owner. */
const GROUP = fields(
  'Name',
  'DeveloperName',
  ['Type', 'picklist'],
  ['Email', 'email'],
  ['RelatedId', 'reference', 'User', 'Related'],
);

const CAMPAIGN = fields(
  'Name',
  ['Type', 'picklist'],
  ['Status', 'picklist'],
  ['StartDate', 'date'],
  ['EndDate', 'date'],
  ['IsActive', 'boolean'],
  ['BudgetedCost', 'currency'],
  ['ActualCost', 'currency'],
  ['ExpectedRevenue', 'currency'],
  ['NumberOfLeads', 'int'],
  ['NumberOfConvertedLeads', 'int'],
  ['NumberOfOpportunities', 'int'],
  ['NumberOfWonOpportunities', 'int'],
  ['ParentId', 'reference', 'Campaign', 'Parent'],
);

/** Standard objects doctor knows, with every field above plus the audit and owner fields. */
export const STANDARD_OBJECTS: ReadonlyMap<string, readonly StandardField[]> = new Map([
  ['Lead', [...AUDIT, ...OWNED_BY_USER_OR_QUEUE, ...LEAD]],
  ['Opportunity', [...AUDIT, ...OWNED, ...OPPORTUNITY]],
  ['Account', [...AUDIT, ...OWNED, ...ACCOUNT]],
  ['Contact', [...AUDIT, ...OWNED, ...CONTACT]],
  ['User', [...AUDIT, ...USER]],
  ['Group', [...AUDIT, ...OWNED, ...GROUP]],
  ['Campaign', [...AUDIT, ...OWNED, ...CAMPAIGN]],
]);
