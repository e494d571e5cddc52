import { STANDARD_OBJECTS } from '../../src/project/standard-schema.ts';
import { FakeOrg } from './fake-org.ts';

/**
 * The org a correct BYOM Bridge deployment of the fixture project looks like: metadata
 * deployed, the principal holding both secrets, the permission sets assigned, scoring on
 * and the nightly run scheduled. Tests override single answers to break one thing.
 */

const LEAD_CUSTOM_FIELDS = [
  { name: 'AI_Title_Seniority__c', type: 'string' },
  { name: 'AI_Email_Opens_30d__c', type: 'double' },
  { name: 'AI_Latest_Score__c', type: 'double' },
  { name: 'AI_Latest_Score_Band__c', type: 'string' },
  { name: 'AI_Last_Scored_At__c', type: 'datetime' },
];

/** `describe` fields of an object as the org returns them. */
export function describeOf(
  objectName: string,
  extra: Array<{ name: string; type: string }> = [],
): { name: string; fields: unknown[] } {
  const standard = STANDARD_OBJECTS.get(objectName) ?? [];
  return {
    name: objectName,
    fields: [
      ...standard.map((f) => ({
        name: f.name,
        type: f.type,
        label: f.name,
        relationshipName: f.relationshipName ?? null,
        referenceTo: f.referenceTo ?? [],
      })),
      ...extra.map((f) => ({ ...f, label: f.name, relationshipName: null, referenceTo: [] })),
    ],
  };
}

/** The integration user of the correct org. */
export const INTEGRATION = {
  triggerId: '01q000000000001AAA',
  userId: '005000000000INTAAA',
  username: 'byom.integration@example.com',
};

export function byomOrg(): FakeOrg {
  return (
    new FakeOrg()
      .query(/FROM AI_Model_Endpoint__mdt/, [{ DeveloperName: 'Lead_Scoring' }])
      .query(/FROM AI_Prompt_Template__mdt/, [{ DeveloperName: 'Opportunity_Brief' }])
      .query(/FROM ApexClass/, [{ Name: 'AiModelEndpoint' }, { Name: 'AiNightlyRescoringBatch' }])
      .query(/FROM NamedCredential/, [{ DeveloperName: 'BYOM_Inference', Endpoint: 'https://byom.example.com' }])
      .query(/^SELECT Name FROM PermissionSet /, [
        { Name: 'AI_Scoring_Admin' },
        { Name: 'AI_Scoring_Integration' },
        { Name: 'AI_Scoring_Viewer' },
      ])
      .query(/COUNT\(AssigneeId\)/, [
        { Name: 'AI_Scoring_Admin', assignees: 1 },
        { Name: 'AI_Scoring_Integration', assignees: 1 },
        { Name: 'AI_Scoring_Viewer', assignees: 12 },
      ])
      // The integration user: the request trigger runs as an active user holding AI_Scoring_Integration.
      .query(/FROM ApexTrigger WHERE Name = 'AiScoringRequestTrigger'/, [{ Id: INTEGRATION.triggerId }])
      .query(/FROM PlatformEventSubscriberConfig/, [{ UserId: INTEGRATION.userId }])
      .query(/FROM User WHERE Id = /, [
        {
          Username: INTEGRATION.username,
          IsActive: true,
          UserRoleId: null,
          Profile: { Name: 'Minimum Access - API Only Integrations' },
        },
      ])
      .query(/FROM PermissionSetAssignment WHERE AssigneeId = /, [{ Id: '0Pa000000000001AAA' }])
      .query(/FROM EventBusSubscriber/, [{ Status: 'Running', LastError: null }])
      .query(/FROM PermissionSetAssignment WHERE Assignee.Username/, [{ PermissionSet: { Name: 'AI_Scoring_Admin' } }])
      .query(/FROM AI_Scoring_Settings__c/, [])
      .query(/JobType = 'ScheduledApex'/, [{ Id: '7070000000000AAAAA' }])
      .on('GET', /\/sobjects\/Lead\/describe$/, () => describeOf('Lead', LEAD_CUSTOM_FIELDS))
      .on('GET', /\/named-credentials\/external-credentials\/BYOM_Inference$/, () => ({
        developerName: 'BYOM_Inference',
        authenticationProtocol: 'Custom',
        principals: [
          { principalName: 'ServicePrincipal', principalType: 'NamedPrincipal', authenticationStatus: 'Configured' },
        ],
      }))
      .on('GET', /\/named-credentials\/credential\?/, () => ({
        externalCredential: 'BYOM_Inference',
        principalName: 'ServicePrincipal',
        principalType: 'NamedPrincipal',
        authenticationProtocol: 'Custom',
        authenticationStatus: 'Configured',
        credentials: {
          ServiceKey: { encrypted: true, value: '********' },
          SigningSecret: { encrypted: true, value: '********' },
        },
      }))
  );
}
