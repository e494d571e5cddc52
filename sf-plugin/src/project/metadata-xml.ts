/**
 * A small XML reader for Salesforce source-format metadata (`*-meta.xml`): elements,
 * attributes, text, CDATA, comments, the XML declaration and the predefined and numeric
 * entities. That is all metadata files use, so the plugin needs no XML dependency. It is
 * not a general XML parser: no DTDs, no namespaces beyond keeping prefixed names as written.
 */

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** Text and CDATA directly inside the element, concatenated. */
  text: string;
}

export class XmlSyntaxError extends Error {
  override name = 'XmlSyntaxError';
}

const NAME = /[A-Za-z_][\w.:-]*/y;
const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Parses a document and returns its root element. */
export function parseXml(source: string, file = 'XML'): XmlElement {
  let i = 0;
  const fail = (problem: string): never => {
    const line = source.slice(0, i).split('\n').length;
    throw new XmlSyntaxError(`${file}: line ${line}: ${problem}`);
  };
  const skipMisc = () => {
    for (;;) {
      while (i < source.length && /\s/.test(source[i]!)) i++;
      if (source.startsWith('<?', i)) i = endOf('?>');
      else if (source.startsWith('<!--', i)) i = endOf('-->');
      else if (source.startsWith('<!DOCTYPE', i)) fail('DOCTYPE is not supported');
      else return;
    }
  };
  const endOf = (terminator: string): number => {
    const end = source.indexOf(terminator, i);
    if (end < 0) fail(`missing "${terminator}"`);
    return end + terminator.length;
  };
  const readName = (): string => {
    NAME.lastIndex = i;
    const match = NAME.exec(source);
    if (!match) fail('expected a name');
    i += match![0].length;
    return match![0];
  };
  const readElement = (): XmlElement => {
    if (source[i] !== '<') fail('expected "<"');
    i++;
    const element: XmlElement = { name: readName(), attributes: {}, children: [], text: '' };
    for (;;) {
      while (/\s/.test(source[i] ?? '')) i++;
      if (source.startsWith('/>', i)) {
        i += 2;
        return element;
      }
      if (source[i] === '>') {
        i++;
        break;
      }
      const attribute = readName();
      while (/\s/.test(source[i] ?? '')) i++;
      if (source[i] !== '=') fail(`attribute ${attribute} needs a value`);
      i++;
      while (/\s/.test(source[i] ?? '')) i++;
      const quote = source[i];
      if (quote !== '"' && quote !== "'") fail(`attribute ${attribute} needs a quoted value`);
      const end = source.indexOf(quote!, i + 1);
      if (end < 0) fail(`attribute ${attribute} is not closed`);
      element.attributes[attribute] = decode(source.slice(i + 1, end), fail);
      i = end + 1;
    }
    for (;;) {
      if (i >= source.length) fail(`element <${element.name}> is not closed`);
      if (source.startsWith('</', i)) {
        i += 2;
        const closing = readName();
        if (closing !== element.name) fail(`</${closing}> closes <${element.name}>`);
        while (/\s/.test(source[i] ?? '')) i++;
        if (source[i] !== '>') fail(`expected ">" after </${closing}`);
        i++;
        return element;
      }
      if (source.startsWith('<![CDATA[', i)) {
        const end = source.indexOf(']]>', i);
        if (end < 0) fail('CDATA section is not closed');
        element.text += source.slice(i + 9, end);
        i = end + 3;
      } else if (source.startsWith('<!--', i)) {
        i = endOf('-->');
      } else if (source[i] === '<') {
        element.children.push(readElement());
      } else {
        const end = source.indexOf('<', i);
        element.text += decode(source.slice(i, end < 0 ? source.length : end), fail);
        i = end < 0 ? source.length : end;
      }
    }
  };

  skipMisc();
  const root = readElement();
  skipMisc();
  if (i < source.length) fail('content after the root element');
  return root;
}

function decode(text: string, fail: (problem: string) => never): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (whole, entity: string) => {
    if (entity.startsWith('#x') || entity.startsWith('#X')) return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(parseInt(entity.slice(1), 10));
    const value = ENTITIES[entity];
    if (value === undefined) fail(`unknown entity ${whole}`);
    return value!;
  });
}

/** Direct children with this name. */
export function childrenNamed(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((child) => child.name === name);
}

/** The trimmed text of the first direct child with this name; undefined when there is none or it is empty. */
export function childText(element: XmlElement, name: string): string | undefined {
  const child = element.children.find((c) => c.name === name);
  const text = child?.text.trim();
  return text === undefined || text === '' ? undefined : text;
}

/**
 * The 1-based line of a source-format file where the text of `<value>` for `field` starts
 * (custom metadata records: `<values><field>F</field><value …>text</value></values>`), so a
 * problem found inside the value can be reported at its line in the file. Undefined when the
 * field is not there.
 */
export function valueStartLine(source: string, field: string): number | undefined {
  const fieldAt = source.indexOf(`<field>${field}</field>`);
  if (fieldAt < 0) return undefined;
  const valueOpen = /<value\b[^>]*>(<!\[CDATA\[)?/g;
  valueOpen.lastIndex = fieldAt;
  const match = valueOpen.exec(source);
  if (!match) return undefined;
  return source.slice(0, match.index + match[0].length).split('\n').length;
}
