import { expect } from 'chai';
import { extractMergeFields, parsePiiFields } from '../../src/doctor/merge-fields.ts';

describe('prompt template merge fields (read as AiPromptTemplateMergeField reads them)', () => {
  it('finds record merge paths once each, and accepts {!$Today}', () => {
    const { paths, malformed } = extractMergeFields(
      'Deal {!Opportunity.Name} for {! Opportunity.Account.Name }, again {!opportunity.name}; today {!$Today}',
    );
    expect(paths).to.deep.equal(['Opportunity.Name', 'Opportunity.Account.Name']);
    expect(malformed).to.deep.equal([]);
  });

  it('reports tokens that are not paths, other global merge fields, and a {! left open', () => {
    const { paths, malformed } = extractMergeFields(
      'A {!Name} B {!Lead.Company C {!Lead.Title} D {!Lead..Email} E {!$User.FirstName}',
    );
    expect(paths).to.deep.equal(['Lead.Title']);
    expect(malformed).to.deep.equal(['{!Name}', '{!Lead..Email}', '{!$User.FirstName}', '{!Lead.Company']);
  });

  it('reads PII paths one per line or comma-separated, with or without braces, and names the line of a bad one', () => {
    expect(parsePiiFields('Lead.Email, Lead.Phone\r\n\n{!Lead.Owner.Email}\nEmail\n')).to.deep.equal({
      paths: [
        { line: 1, path: 'Lead.Email' },
        { line: 1, path: 'Lead.Phone' },
        { line: 3, path: 'Lead.Owner.Email' },
      ],
      malformed: [{ line: 4, text: 'Email' }],
    });
  });
});
