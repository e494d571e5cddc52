import type { PiiValue } from '../../../../src/generation/domain.ts';

/**
 * The masking corpora, measured through the real service over HTTP
 * (masking-corpus.test.ts): every case is sent to /v1/generate and /v1/chat/completions, a
 * stub provider records what it received, and the answer (an echo) must restore byte-exactly.
 *
 * A case with `secrets` holds personal data: each secret is the exact span of `text` (or of
 * `stop`) that must reach the provider masked, every character of it. A case without secrets
 * is a benign look-alike and must reach the provider unchanged.
 *
 * Values are the documented test values of each kind (Visa's 4111…, the ECBS example
 * IBANs, the SSA's advertising SSNs, RFC 5737/3849 documentation addresses, the example.*
 * domains), never real people's.
 */
export interface CorpusCase {
  id: string;
  /** The class of trick or look-alike the case stands for (the docs' coverage table groups by it). */
  kind: string;
  text: string;
  /** Spans of `text` (or of `stop`) that must not reach the provider; empty for a benign case. */
  secrets: string[];
  pii?: PiiValue[];
  /** A chat `stop` sequence; only /v1/chat/completions forwards one, so /v1/generate skips the case. */
  stop?: string;
}

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const b64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

/** A PII case whose secret is `secret`, written inside `before … after`. */
function pii(id: string, kind: string, before: string, secret: string, after: string, fields?: PiiValue[]): CorpusCase {
  return { id, kind, text: `${before}${secret}${after}`, secrets: [secret], ...(fields ? { pii: fields } : {}) };
}

function benign(id: string, kind: string, text: string, fields?: PiiValue[]): CorpusCase {
  return { id, kind, text, secrets: [], ...(fields ? { pii: fields } : {}) };
}

const NAME: PiiValue[] = [{ field: 'Lead.LastName', value: "O'Brien" }];
const DOUBLE_NAME: PiiValue[] = [{ field: 'Contact.FirstName', value: 'Mary-Jane' }];

/**
 * The tricks that got PII past the gateway before (issue 16, "What is wrong"), the classes
 * the issue adds, and the benign look-alikes that must stay readable.
 */
export const TRICKS_CORPUS: CorpusCase[] = [
  // ---- full-width and other scripts' digits, full-width @ ----
  pii('fw-phone', 'full-width digits', 'Call ', '＋４４ ２０ ７９４６ ０９５８', ' after lunch.'),
  pii('fw-card', 'full-width digits', 'Card on file: ', '４１１１ １１１１ １１１１ １１１１', ', expires soon.'),
  pii('fw-ssn', 'full-width digits', 'Her SSN ', '１２３-４５-６７８９', ' was verified.'),
  pii('fw-iban', 'full-width digits', 'Wire to ', 'ＤＥ８９ ３７０４ ００４４ ０５３２ ０１３０ ００', ' by Friday.'),
  pii('arabic-phone', 'Arabic-Indic digits', 'Mobile ', '+٩٧١ ٥٠ ١٢٣ ٤٥٦٧', ' for the Dubai office.'),
  pii('arabic-card', 'Arabic-Indic digits', 'Paid with ', '٥٥٥٥ ٥٥٥٥ ٥٥٥٥ ٤٤٤٤', ' yesterday.'),
  pii('persian-phone', 'Arabic-Indic digits', 'Office line ', '۰۲۰ ۷۹۴۶ ۰۹۵۸', ', ask for sales.'),
  pii('devanagari-card', 'Arabic-Indic digits', 'Card ', '४१११ ११११ ११११ ११११', ' declined.'),
  pii('math-digits-card', 'full-width digits', 'Card ', '𝟒𝟏𝟏𝟏 𝟏𝟏𝟏𝟏 𝟏𝟏𝟏𝟏 𝟏𝟏𝟏𝟏', ' on the invoice.'),
  pii('fw-at', 'full-width @', 'Write to ', 'jane.doe＠acme.example', ' today.'),
  pii('fw-email', 'full-width @', 'Reply to ', 'ｍａｒｉａ＠ｅｘａｍｐｌｅ．ｃｏｍ', ' please.'),
  pii('small-at', 'full-width @', 'Contact ', 'ops﹫globex.example', ' for access.'),
  // ---- invisible characters inside an email ----
  pii('zwsp-email', 'zero-width characters', 'Send it to ', 'jane.\u200bdoe@acme.example', ' now.'),
  pii('zwj-email', 'zero-width characters', 'Address: ', 'ma\u200cria@exa\u200dmple.com', '.'),
  pii('wj-email', 'zero-width characters', 'CC ', 'ops\u2060@globex\ufeff.example', ' on it.'),
  pii('zwsp-phone', 'zero-width characters', 'Call ', '+44 20\u200b 7946 0958', ' today.'),
  pii('shy-email', 'soft hyphens', 'Email ', 'jane\u00ad.doe@acme\u00ad.example', ' about it.'),
  pii('shy-card', 'soft hyphens', 'Card ', '4111\u00ad1111\u00ad1111\u00ad1111', ' on file.'),
  pii('combining-email', 'combining marks', 'Mail ', 'jane\u0301.doe@acme.example', ' the deck.'),
  pii('combining-email-2', 'combining marks', 'Ping ', 'm\u0308aria@exam\u0327ple.com', ' again.'),
  pii('bidi-email', 'zero-width characters', 'Mail ', 'jane\u202e.doe@acme\u202c.example', ' soon.'),
  // ---- separators ----
  pii('nbsp-phone', 'no-break / thin spaces', 'Call ', '+44\u00a020\u00a07946\u00a00958', ' after 5.'),
  pii('thin-phone', 'no-break / thin spaces', 'Dial ', '+1\u2009202\u2009555\u20090143', ' for support.'),
  pii('narrow-phone', 'no-break / thin spaces', 'Ring ', '020\u202f7946\u202f0958', ' tomorrow.'),
  pii('figure-card', 'no-break / thin spaces', 'Card ', '4111\u20071111\u20071111\u20071111', ' charged.'),
  pii('ideographic-phone', 'no-break / thin spaces', 'Tel ', '+81\u30003\u30001234\u30005678', ' (Tokyo).'),
  pii('en-dash-ssn', 'en-dashes', 'SSN ', '123–45–6789', ' on the form.'),
  pii('em-dash-ssn', 'en-dashes', 'SSN ', '078—05—1120', ' again.'),
  pii('minus-ssn', 'en-dashes', 'SSN ', '219−09−9999', ' filed.'),
  pii('en-dash-phone', 'en-dashes', 'Call ', '555–123–4567', ' now.'),
  pii('en-dash-card', 'en-dashes', 'Card ', '4111–1111–1111–1111', ' on file.'),
  // ---- HTML entities and percent-encoding ----
  pii('entity-nbsp-phone', 'HTML entities', 'Call ', '+44&nbsp;20&nbsp;7946&nbsp;0958', ' today.'),
  pii('entity-decimal-at', 'HTML entities', 'Write to ', 'jane.doe&#64;acme.example', ' soon.'),
  pii('entity-hex-at', 'HTML entities', 'Write to ', 'jane.doe&#x40;acme.example', ' soon.'),
  pii('entity-named', 'HTML entities', 'Write to ', 'jane.doe&commat;acme&period;example', ' soon.'),
  pii('entity-no-semicolon', 'HTML entities', 'Write to ', 'jane.doe&#64acme.example', ' soon.'),
  pii('entity-digits-card', 'HTML entities', 'Card ', '&#x34;&#x31;&#x31;&#x31; 1111 1111 1111', ' on file.'),
  pii('entity-double', 'HTML entities', 'Write to ', 'jane.doe&amp;#64;acme.example', ' soon.'),
  pii('entity-thinsp-phone', 'HTML entities', 'Call ', '020&thinsp;7946&thinsp;0958', '.'),
  pii('entity-ndash-ssn', 'HTML entities', 'SSN ', '123&ndash;45&ndash;6789', '.'),
  pii('percent-at', 'percent-encoding', 'Write to ', 'jane.doe%40acme.example', ' soon.'),
  pii('percent-all', 'percent-encoding', 'Write to ', '%6A%61%6E%65%40acme.example', ' soon.'),
  pii('percent-mailto', 'percent-encoding', 'Link: mailto:', 'maria.garcia%40example.com', '?subject=Renewal'),
  pii('percent-double', 'percent-encoding', 'Write to ', 'jane.doe%2540acme.example', ' soon.'),
  pii('percent-phone', 'percent-encoding', 'tel:', '%2B44%2020%207946%200958', ' (click to call)'),
  pii('percent-utf8-fw', 'percent-encoding', 'Mail ', 'jane%EF%BC%A0acme.example', ' (full-width @).'),
  // ---- tags inside a token ----
  pii('b-email', 'tags inside a token', 'Write to ', 'jane<b>.doe</b>@acme.example', ' today.'),
  pii(
    'span-email',
    'tags inside a token',
    '<p>Write to ',
    'ja<span style="color:red">ne.doe</span>@acme.example',
    '</p>',
  ),
  pii('i-phone', 'tags inside a token', 'Call ', '+44 20 <i>7946</i> 0958', ' now.'),
  pii('font-card', 'tags inside a token', 'Card ', '4111 <font color="#000">1111</font> 1111 1111', ' ok.'),
  pii('wbr-email', 'tags inside a token', 'Mail ', 'maria.garcia<wbr>@example.com', ' soon.'),
  pii('comment-email', 'tags inside a token', 'Mail ', 'jane.doe<!-- split -->@acme.example', ' soon.'),
  pii('href-email', 'tags inside a token', '<a href="mailto:', 'jane.doe@acme.example', '">Email Jane</a>'),
  pii('href-tel', 'tags inside a token', '<a href="tel:', '+442079460958', '">Call the office</a>'),
  pii('entity-tag', 'tags inside a token', 'Mail ', 'jane&lt;b&gt;.doe&lt;/b&gt;@acme.example', ' soon.'),
  // ---- cards grouped with dots or wrapped ----
  pii('dotted-card', 'dotted / newline-split cards', 'Card ', '4111.1111.1111.1111', ' on file.'),
  pii('dotted-mc', 'dotted / newline-split cards', 'Card ', '5555.5555.5555.4444', ' declined.'),
  pii('dotted-amex', 'dotted / newline-split cards', 'Amex ', '3782.822463.10005', ' approved.'),
  pii('newline-card', 'dotted / newline-split cards', 'Card number:\n', '4111 1111 1111\n1111', '\nExpiry 12/29'),
  pii('crlf-card', 'dotted / newline-split cards', 'Card: ', '5555 5555\r\n5555 4444', ' (Mastercard)'),
  pii('newline-plain-card', 'dotted / newline-split cards', 'Card ', '40128888\n88881881', ' used.'),
  pii('br-card', 'dotted / newline-split cards', 'Card ', '4111 1111<br>1111 1111', ' used.'),
  // ---- IBANs with dashes ----
  pii('dashed-iban-gb', 'dashed IBANs', 'IBAN ', 'GB82-WEST-1234-5698-7654-32', ' for the refund.'),
  pii('dashed-iban-de', 'dashed IBANs', 'IBAN ', 'DE89-3704-0044-0532-0130-00', '.'),
  pii('dashed-iban-nl', 'dashed IBANs', 'Pay ', 'nl91-abna-0417-1643-00', ' today.'),
  pii('en-dash-iban', 'dashed IBANs', 'IBAN ', 'FR14–2004–1010–0505–0001–3M02–606', '.'),
  // ---- base64 ----
  pii('b64-email', 'base64', 'Token ', b64('jane.doe@acme.example'), ' attached.'),
  pii('b64-sentence', 'base64', 'Payload: ', b64('Contact maria.garcia@example.com about the renewal'), ''),
  pii('b64url-phone', 'base64', 'state=', b64url('call +44 20 7946 0958'), '&step=2'),
  pii('b64-card', 'base64', 'Data ', b64('4111 1111 1111 1111'), ' (encoded).'),
  pii('b64-ssn', 'base64', 'Field value ', b64('SSN 123-45-6789'), '.'),
  pii('b64-nested', 'base64', 'Blob ', b64(b64('jane.doe@acme.example')), '.'),
  pii('b64-field', 'base64', 'Note ', b64("Spoke with Ms O'Brien"), '.', NAME),
  // ---- stop sequences ----
  {
    id: 'stop-email',
    kind: 'stop sequences',
    text: 'Draft a short reply.',
    secrets: ['jane.doe@acme.example'],
    stop: 'jane.doe@acme.example',
  },
  {
    id: 'stop-phone',
    kind: 'stop sequences',
    text: 'Draft a short reply.',
    secrets: ['+44 20 7946 0958'],
    stop: 'Call +44 20 7946 0958',
  },
  {
    id: 'stop-entity',
    kind: 'stop sequences',
    text: 'Draft a short reply.',
    secrets: ['jane&#64;acme.example'],
    stop: 'jane&#64;acme.example',
  },
  {
    id: 'stop-field',
    kind: 'stop sequences',
    text: 'Draft a short reply.',
    secrets: ['O’Brien'],
    stop: 'Regards, O’Brien',
    pii: NAME,
  },
  // ---- [at] / [dot], quoted local parts, IP literals ----
  pii('at-dot', '[at] / [dot] emails', 'Reach me at ', 'jane.doe [at] acme [dot] example', ' anytime.'),
  pii('paren-at-dot', '[at] / [dot] emails', 'Reach me at ', 'maria(at)example(dot)com', '.'),
  pii('brace-at', '[at] / [dot] emails', 'Mail ', 'ops {at} globex {dot} example', ' for help.'),
  pii('defanged', '[at] / [dot] emails', 'Mail ', 'j.smith[@]mail[.]example[.]org', ' please.'),
  pii('spaced-at', '[at] / [dot] emails', 'Mail ', 'jane.doe @ acme.example', ' please.'),
  pii('upper-at', '[at] / [dot] emails', 'Mail ', 'JANE [AT] ACME [DOT] EXAMPLE', ' please.'),
  pii('quoted-local', 'quoted local parts', 'Write to ', '"jane doe"@acme.example', ' today.'),
  pii('quoted-local-at', 'quoted local parts', 'Write to ', '"maria@home"@example.com', ' today.'),
  pii('quoted-escaped', 'quoted local parts', 'Write to ', '"j\\"smith"@example.org', ' today.'),
  pii('ip-literal-v4', 'IP-literal emails', 'Mail ', 'jane@[203.0.113.7]', ' directly.'),
  pii('ip-literal-v6', 'IP-literal emails', 'Mail ', 'ops@[IPv6:2001:db8::1]', ' directly.'),
  pii('apostrophe-local', 'quoted local parts', 'Mail ', "o'brien@example.com", ' soon.'),
  // ---- field-marked values ----
  pii('field-curly', 'field values: apostrophes', 'Spoke with Ms ', 'O’Brien', ' about pricing.', NAME),
  pii('field-modifier', 'field values: apostrophes', 'Spoke with Ms ', 'Oʼbrien', ' again.', NAME),
  pii('field-no-apostrophe', 'field values: apostrophes', 'Spoke with Ms ', 'OBrien', ' again.', NAME),
  pii('field-spaced', 'field values: apostrophes', 'Spoke with Ms ', 'O Brien', ' again.', NAME),
  pii('field-curly-value', 'field values: apostrophes', 'Met ', "D'Angelo", ' at the expo.', [
    { field: 'Lead.LastName', value: 'D’Angelo' },
  ]),
  pii('field-space', 'field values: joins', 'Thanks ', 'Mary Jane', ' for the call.', DOUBLE_NAME),
  pii('field-underscore', 'field values: joins', 'User ', 'mary_jane', ' logged in.', DOUBLE_NAME),
  pii('field-dot', 'field values: joins', 'User ', 'Mary.Jane', ' logged in.', DOUBLE_NAME),
  pii('field-joined', 'field values: joins', 'Handle ', 'MaryJane', ' posted.', DOUBLE_NAME),
  pii('field-upper', 'field values: case', 'Signed: ', 'MARY-JANE', ', VP Sales', DOUBLE_NAME),
  pii('field-zw', 'field values: zero-width', 'Thanks ', 'Mary\u200b-Jane', '!', DOUBLE_NAME),
  pii('field-zw-name', 'field values: zero-width', 'Met ', 'O\u200b’Bri\u200ben', ' today.', NAME),
  pii('field-accents', 'field values: case', 'Met ', 'JOSE NUNEZ', ' today.', [
    { field: 'Contact.Name', value: 'José Núñez' },
  ]),
  pii('field-entity', 'field values: apostrophes', 'Met ', 'O&#39;Brien', ' today.', NAME),
  pii('field-tag', 'field values: zero-width', 'Met ', 'O<b>’Brien', '</b> today.', NAME),
  pii('field-fullwidth', 'field values: case', 'Company ', 'ＡＣＭＥ ＷＩＤＧＥＴＳ', ' renewed.', [
    { field: 'Account.Name', value: 'Acme Widgets' },
  ]),
  // ---- other forms ----
  pii('ideographic-dot', 'full-width @', 'Mail ', 'jane@acme。example', ' today.'),
  pii('dotted-ssn', 'en-dashes', 'SSN ', '123.45.6789', ' on file.'),
  pii('entity-ip', 'HTML entities', 'Login from ', '203&#46;0&#46;113&#46;7', ' blocked.'),
  pii('fw-ip', 'full-width digits', 'Login from ', '１９８.５１.１００.２３', ' blocked.'),
  pii('zw-ipv6', 'zero-width characters', 'Login from ', '2001:db8::\u200b8a2e:370:7334', ' blocked.'),
  pii('defanged-ip', '[at] / [dot] emails', 'Login from ', '192[.]0[.]2[.]44', ' flagged.'),
  pii('spaced-en-dash-ssn', 'en-dashes', 'SSN ', '123 – 45 – 6789', ' again.'),
  pii('fw-hyphen-ssn', 'en-dashes', 'SSN ', '123－45－6789', '.'),
  pii('nb-hyphen-iban', 'dashed IBANs', 'Pay ', 'DE89\u20113704\u20110044\u20110532\u20110130\u201100', ' now.'),
  pii('nbsp-iban', 'no-break / thin spaces', 'IBAN ', 'GB82\u00a0WEST\u00a01234\u00a05698\u00a07654\u00a032', '.'),
  pii('entity-numeric-spaces', 'HTML entities', 'Call ', '+44&#160;20&#8239;7946&#xA0;0958', ' today.'),
  pii('entity-zwsp', 'HTML entities', 'Mail ', 'jane&#x200B;.doe@acme.example', ' today.'),
  pii('entity-letter', 'HTML entities', 'Mail ', 'j&#97;ne.doe@acme.example', ' today.'),
  pii('upper-tag', 'tags inside a token', 'Mail ', 'ja<B>ne</B>.doe@acme.example', ' today.'),
  pii('multiline-tag', 'tags inside a token', 'Mail ', 'ja<span\n  class="x">ne</span>.doe@acme.example', ' today.'),
  pii('percent-card', 'percent-encoding', 'Card ', '4111%201111%201111%201111', ' ok.'),
  pii('tab-card', 'dotted / newline-split cards', 'Card:\t', '4111\t1111\t1111\t1111', '\tVisa'),
  pii('double-space-card', 'dotted / newline-split cards', 'Card ', '4111  1111  1111  1111', ' (from a PDF).'),
  pii('mixed-card', 'no-break / thin spaces', 'Card ', '４１１１&nbsp;1111\u20091111\u200b 1111', ' used.'),

  // ---- benign look-alikes ----
  benign('version-label', 'versions', 'Upgrade to version 10.4.2.1 tonight.'),
  benign('version-v', 'versions', 'Prod runs v10.4.2.1; staging runs V10.4.3.0.'),
  benign('version-suffix', 'versions', 'The 10.4.2.1-beta build is out; 10.4.2.1-rc2 follows.'),
  benign('version-release', 'versions', 'Release 2.3.0.4 fixed the sync bug.'),
  benign('version-build', 'versions', 'Windows build 10.0.19045.3803 is required.'),
  benign('version-firmware', 'versions', 'Firmware 4.2.1.7 is on every device.'),
  benign('version-semver', 'versions', 'Bump the SDK from 1.2.3 to 1.3.0 and the API to 2024.1.'),
  benign('version-long', 'versions', 'Schema version 1.2.3.4.5 migrated.'),
  benign('version-upgrade', 'versions', 'Please upgrade to 11.0.0.2 before Monday.'),
  benign('order-hash', 'order / invoice numbers', 'Order #100045872 shipped on Tuesday.'),
  benign('order-dashed', 'order / invoice numbers', 'Order no. 2024-118-4471 is delayed.'),
  benign('order-phone-shaped', 'order / invoice numbers', 'Order #555-123-4567 was split into two shipments.'),
  benign('invoice-prefix', 'order / invoice numbers', 'Invoice INV-2024-000123 is overdue.'),
  benign('invoice-spaced', 'order / invoice numbers', 'Invoice 2024 118 4471 01 was paid.'),
  benign('po', 'order / invoice numbers', 'PO 4500012345 approved by finance.'),
  benign('ticket', 'order / invoice numbers', 'Ticket: 7781-2290-4410 closed; see ticket INC0012345.'),
  benign('case-number', 'order / invoice numbers', 'Case 00001234 escalated to tier 2.'),
  benign('tracking', 'order / invoice numbers', 'Tracking 1Z999AA10123456784 shows delivery.'),
  benign('ref', 'order / invoice numbers', 'Ref: 2023-0915-7781 in the subject line.'),
  benign('quote', 'order / invoice numbers', 'Quote Q-2024-0042 expires on Friday.'),
  benign('date-iso', 'dates', 'Renewal is due on 2024-01-15.'),
  benign('date-dotted', 'dates', 'Signed 15.01.2024 in Berlin.'),
  benign('date-us', 'dates', 'Due 01/15/2024, net 30.'),
  benign('date-words', 'dates', 'Meeting on 15 Jan 2024 at 10:30.'),
  benign('date-range', 'dates', 'Fiscal year 2023-2024, Q3 2024 results.'),
  benign('date-with-time', 'dates', 'Call logged 2024-01-15 10:30:45 by the rep.'),
  benign('timestamp-z', 'ISO timestamps', 'Created 2024-01-15T10:30:45Z.'),
  benign('timestamp-ms', 'ISO timestamps', 'Modified 2024-01-15T10:30:45.123+02:00.'),
  benign('timestamp-basic', 'ISO timestamps', 'Synced 20240115T103045Z.'),
  benign('timestamp-list', 'ISO timestamps', 'Between 2024-01-15T08:00:00Z and 2024-01-15T17:30:00-05:00.'),
  benign('price-usd', 'prices', 'List price $1,299.00 per seat.'),
  benign('price-eur', 'prices', 'Budget €1.234.567,89 approved.'),
  benign('price-eur-large', 'prices', 'Pipeline € 1.234.567.890 this year.'),
  benign('price-spaces', 'prices', 'Deal size 1 234 567 890 EUR.'),
  benign('price-code', 'prices', 'USD 12 500.00 monthly, GBP 9 800.'),
  benign('price-yen', 'prices', 'Tokyo quote: ¥120,000,000 annually.'),
  benign('price-trailing', 'prices', 'Renewal at 1 299,00 € per year.'),
  benign('uuid', 'UUIDs', 'Record 123e4567-e89b-12d3-a456-426614174000 synced.'),
  benign('uuid-v4', 'UUIDs', 'Job 550e8400-e29b-41d4-a716-446655440000 finished.'),
  benign('uuid-digits', 'UUIDs', 'Batch 41111111-1111-1111-1111-111111111111 ran.'),
  benign('uuid-upper', 'UUIDs', 'Key 6BA7B810-9DAD-11D1-80B4-00C04FD430C8 rotated.'),
  benign('sku-label', 'SKUs', 'SKU 4411-2290-118 is back in stock.'),
  benign('sku-dashed', 'SKUs', 'Order SKU-4411-2290-XL and WX-9920-118.'),
  benign('sku-part', 'SKUs', 'Replacement part AB-1234-5678 ships Monday.'),
  benign('sku-model', 'SKUs', 'Model XPS-9520-7781 in silver.'),
  benign('sku-ean', 'SKUs', 'EAN 4006381333931 on the box.'),
  // ---- text the normalisation must not damage ----
  benign(
    'rich-text',
    'rich text without PII',
    '<p>Great call with the <b>ACME</b> team&nbsp;&mdash; next steps below.</p>',
  ),
  benign('rich-list', 'rich text without PII', '<ul><li>Send pricing</li><li>Book a demo &amp; follow up</li></ul>'),
  benign(
    'url-percent',
    'rich text without PII',
    'See https://example.com/search?q=renewal%20pricing&page=2 for details.',
  ),
  benign('percent-text', 'rich text without PII', 'Offer 50% off; Q3 growth was 15%, up from 12%.'),
  benign('b64-text', 'rich text without PII', `Attachment note: ${b64('Hello, world! Renewal deck attached.')}`),
  benign(
    'b64-image',
    'rich text without PII',
    'Logo: data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  ),
  benign('hash', 'rich text without PII', 'Commit 3f786850e387550fdab836ed7e6dc881de23001b deployed.'),
  benign('record-id', 'rich text without PII', 'Lead 00Q5g00000AbCdEAAV converted to 0015g00000XyZaBCDE.'),
  benign('times', 'rich text without PII', 'Stand-up at 9:30, retro at 16:45:00, ratio 3:2:1.'),
  benign('code', 'rich text without PII', 'Use std::vector<int> and map<string, int> in C++.'),
  benign('handles', 'rich text without PII', 'Ping @handle or user@localhost on the intranet.'),
  benign('measures', 'rich text without PII', 'Room 1203, zip 94105, 21.5 °C, lat 37.7749, long -122.4194.'),
  benign('standards', 'rich text without PII', 'ISO 27001, RFC 5322 and HTTP 404 came up.'),
  benign('numbers-list', 'rich text without PII', 'Seats:\n1200\n3400\n5600\n7800'),
  benign('fullwidth-prose', 'rich text without PII', 'Ｑ３ results: ＡＣＭＥ grew １５％ year over year.'),
  benign('arabic-prose', 'rich text without PII', 'الربع الثالث: نمو ١٥٪ في ٢٠٢٤'),
  benign('bracket-words', 'rich text without PII', 'Meet (at) noon; see [dot] points below; chat [at] 5.'),
  benign('ellipsis', 'rich text without PII', 'Renewal… maybe — or not – we will see.'),
  benign('field-whole-word', 'field look-alikes', 'The annual review and Annie’s notes are ready.', [
    { field: 'Lead.FirstName', value: 'Ann' },
  ]),
  benign('field-other-words', 'field look-alikes', 'Mary and Jane met in Lisbon.', DOUBLE_NAME),
  benign('field-prefix', 'field look-alikes', 'OBriens Pub hosted the event.', NAME),
  benign('field-short', 'field look-alikes', 'Lima, Lisbon and Linz are on the list.', [
    { field: 'Lead.LastName', value: 'Li' },
  ]),
];

/**
 * A 40-case baseline in place of the corpus masking was first measured on (measured from
 * outside the repository and not kept): the formats the gateway covered before issue 16
 * (emails, phones, cards, IBANs, SSNs, IPs and marked fields as usually written, from its unit
 * tests) and the everyday numbers it must leave alone.
 */
export const BASELINE_CORPUS: CorpusCase[] = [
  pii('email-plain', 'emails', 'Write to ', 'jane.doe@acme.example', ' today.'),
  pii('email-plus', 'emails', 'Write to ', 'j.smith+crm@mail.example.org', '.'),
  pii('email-subdomain', 'emails', 'CC ', 'ops@eu.globex.example.co.uk', ' please.'),
  pii('email-unicode', 'emails', 'Or ', 'ünïcödé@exämple.de', '.'),
  pii('email-in-parens', 'emails', 'Maria (', 'maria.garcia@example.com', ') replied.'),
  pii('phone-uk', 'phones', 'Call ', '+44 20 7946 0958', ' today.'),
  pii('phone-us', 'phones', 'Call ', '+1-202-555-0143', '.'),
  pii('phone-fr', 'phones', 'Call ', '+33 1 23 45 67 89', '.'),
  pii('phone-in', 'phones', 'Call ', '+91 98765 43210', '.'),
  pii('phone-national', 'phones', 'Call ', '(555) 123-4567', ' after 3.'),
  pii('phone-dotted', 'phones', 'Call ', '555.987.6543', '.'),
  pii('phone-00', 'phones', 'Call ', '0044 20 7946 0958', '.'),
  pii('card-visa', 'cards', 'Card ', '4111 1111 1111 1111', ' on file.'),
  pii('card-dashed', 'cards', 'Card ', '5555-5555-5555-4444', '.'),
  pii('card-amex', 'cards', 'Amex ', '3782 822463 10005', '.'),
  pii('card-plain', 'cards', 'Card ', '6011111111111117', '.'),
  pii('iban-gb', 'IBANs', 'IBAN ', 'GB82 WEST 1234 5698 7654 32', '.'),
  pii('iban-de', 'IBANs', 'Pay to ', 'DE89370400440532013000', ' now.'),
  pii('iban-lower', 'IBANs', 'IBAN ', 'nl91abna0417164300', '.'),
  pii('ssn-dashed', 'SSNs', 'SSN ', '123-45-6789', '.'),
  pii('ssn-spaced', 'SSNs', 'SSN ', '078 05 1120', '.'),
  pii('ssn-sentence', 'SSNs', 'Her SSN is ', '219-09-9999', ', verified.'),
  pii('ipv4', 'IPs', 'Login from ', '203.0.113.7', ' blocked.'),
  pii('ipv4-private', 'IPs', 'Host ', '192.168.0.1', ' is down.'),
  pii('ipv6', 'IPs', 'From ', '2001:db8::8a2e:370:7334', ' yesterday.'),
  pii('ipv6-mapped', 'IPs', 'Mapped ', '::ffff:192.0.2.1', '.'),
  pii('field-name', 'marked fields', 'Lead ', 'Jane Doe', ' asked for a demo.', [
    { field: 'Lead.Name', value: 'Jane Doe' },
  ]),
  pii('field-company', 'marked fields', 'Account ', 'Acme Corp', ' renewed.', [
    { field: 'Account.Name', value: 'Acme Corp' },
  ]),
  benign('date', 'dates', 'Meeting on 2024-01-15 10:30.'),
  benign('date-dotted', 'dates', 'Signed 15.01.2024.'),
  benign('revenue', 'amounts', 'Revenue 1 200 000 EUR.'),
  benign('price', 'amounts', 'Price 1,234,567.89 total.'),
  benign('order', 'order numbers', 'Order 12345678 shipped.'),
  benign('version', 'versions', 'Version 1.2.3.4.5 deployed.'),
  benign('schedule', 'times', 'Meeting at 9:30, room 12, 3 attendees.'),
  benign('quarter', 'dates', 'Q3 2024 results: 15% growth over 2023.'),
  benign('code', 'code', 'std::vector<int> at 10:30:45.'),
  benign('no-address', 'emails', 'Not an address: user@localhost, @handle.'),
  benign('bad-luhn', 'cards', 'Ref 4111111111111112 is not a card.'),
  benign('bad-iban', 'IBANs', 'Code ZZ82WEST12345698765432 is no IBAN.'),
];
