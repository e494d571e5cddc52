import { expect } from 'chai';
import { childrenNamed, childText, parseXml } from '../../src/project/metadata-xml.ts';

describe('metadata XML', () => {
  it('reads elements, attributes, CDATA and entities as source-format metadata uses them', () => {
    const root = parseXml(`<?xml version="1.0" encoding="UTF-8" ?>
<!-- a comment before the root -->
<CustomMetadata xmlns="http://soap.sforce.com/2006/04/metadata" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <label>Tom &amp; Jerry &#x2013; &lt;b&gt;</label>
  <values>
    <field>Feature_Mapping__c</field>
    <value xsi:type="xsd:string"><![CDATA[[{"feature": "A & B", "field": "<Industry>"}]]]></value>
  </values>
  <values><field>Model_Version__c</field><value xsi:nil="true" /></values>
</CustomMetadata>`);
    expect(root.name).to.equal('CustomMetadata');
    expect(childText(root, 'label')).to.equal('Tom & Jerry \u2013 <b>');
    const [mapping, version] = childrenNamed(root, 'values');
    const value = mapping!.children.find((c) => c.name === 'value')!;
    expect(value.attributes['xsi:type']).to.equal('xsd:string');
    expect(value.text).to.equal('[{"feature": "A & B", "field": "<Industry>"}]');
    expect(version!.children.find((c) => c.name === 'value')!.attributes['xsi:nil']).to.equal('true');
  });

  it('names the file and the line of a syntax error', () => {
    expect(() => parseXml('<a>\n  <b>text</c>\n</a>', 'Lead.object-meta.xml')).to.throw(
      'Lead.object-meta.xml: line 2: </c> closes <b>',
    );
    expect(() => parseXml('<a>', 'x.xml')).to.throw('x.xml: line 1: element <a> is not closed');
    expect(() => parseXml('<a>&nbsp;</a>', 'x.xml')).to.throw('unknown entity &nbsp;');
    expect(() => parseXml('<a/><b/>', 'x.xml')).to.throw('content after the root element');
  });
});
