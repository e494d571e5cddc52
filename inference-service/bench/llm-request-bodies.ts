/**
 * The gateway benchmark's requests: what Apex sends for a Lead summary (a system prompt, a
 * rendered template with a name, a company, an email and a phone number, two fields marked
 * as PII), and the chat completion the stub provider receives for it when called directly.
 * Both carry the same messages, so the difference in latency is the gateway's work: auth,
 * validation, masking, the AI SDK call, restoring, checks and bookkeeping.
 */

export const BENCH_ROUTE = 'bench';

const SYSTEM = 'You are a sales assistant. Write a two-sentence summary of the lead and the next best step.';
const USER =
  'Lead: Jane Doe, VP Operations at Acme Corp (Manufacturing, 1,200 employees). Email jane.doe@acme.example, ' +
  'phone +1 415 555 0132. Source: Partner Referral. Last activity 3 days ago: asked for a pricing call. ' +
  'Open opportunities: none. Notes: evaluating two competitors, decision expected this quarter.';

export function buildGenerateBody(): unknown {
  return {
    route: BENCH_ROUTE,
    messages: [
      { role: 'system', content: SYSTEM },
      { role: 'user', content: USER },
    ],
    pii: [
      { field: 'Lead.Name', value: 'Jane Doe' },
      { field: 'Lead.Company', value: 'Acme Corp' },
    ],
    options: { temperature: 0.2, maxTokens: 300 },
    metadata: { template: 'Lead_Summary', templateVersion: 1, recordId: '00Q5g00000AbCdEAAV' },
  };
}

/** The request an AI SDK OpenAI-compatible provider sends for the same generation (masked). */
export function buildDirectChatBody(): unknown {
  return {
    model: 'bench-model',
    max_tokens: 300,
    temperature: 0.2,
    messages: [
      { role: 'system', content: SYSTEM },
      {
        role: 'user',
        content: USER.replace('Jane Doe', '[NAME_1]')
          .replace('Acme Corp', '[COMPANY_1]')
          .replace('jane.doe@acme.example', '[EMAIL_1]')
          .replace('+1 415 555 0132', '[PHONE_1]'),
      },
    ],
  };
}

/** A generate answer is only a result if the stub answered it with every value masked and restored. */
export function expectGeneration(response: unknown): string | undefined {
  const body = response as { text?: string; masked?: { total?: number }; attempts?: unknown[] };
  if (body.masked?.total !== 4) return `expected 4 masked values, got ${JSON.stringify(body.masked)}`;
  if (!body.text?.includes('jane.doe@acme.example')) return 'the answer does not contain the restored email';
  if (body.attempts?.length !== 1) return `expected one attempt, got ${body.attempts?.length}`;
  return undefined;
}

export function expectCompletion(response: unknown): string | undefined {
  const body = response as { choices?: Array<{ message?: { content?: string } }> };
  return body.choices?.[0]?.message?.content ? undefined : 'the stub did not answer with a completion';
}

/** The longest message content /v1/generate accepts; longer prompts are split across messages. */
const MAX_MESSAGE_CHARS = 200_000;

/**
 * A long prompt, `chars` characters of user content: a CRM activity history (emails, call
 * notes) in which every paragraph names people, email addresses and phone numbers, so masking
 * has real work throughout. Split into messages of at most 200,000 characters, as the schema
 * requires. 256 KB stands for a summary over a long thread; 9 MB for the largest body accepted.
 */
export function buildLargePromptBody(chars: number, deadlineMs?: number): unknown {
  const paragraphs: string[] = [];
  let length = 0;
  for (let i = 0; length < chars; i++) {
    const paragraph =
      `Activity ${i + 1}: call with Jane Doe (jane.doe${i % 97}@acme.example, +1 415 555 ${String(1000 + (i % 9000)).slice(-4)}) ` +
      `about the renewal of contract ${40_000 + i}. She asked for a revised quote before the quarter ends and copied ` +
      `Sam Lee (sam.lee@acme.example). Next step agreed: send pricing for ${100 + (i % 400)} seats and book a review.\n`;
    paragraphs.push(paragraph);
    length += paragraph.length;
  }
  // Whole paragraphs per message: a value cut in two between messages is no value any more.
  const messages: Array<{ role: string; content: string }> = [{ role: 'system', content: SYSTEM }];
  let content = '';
  for (const paragraph of paragraphs) {
    if (content.length + paragraph.length > MAX_MESSAGE_CHARS) {
      messages.push({ role: 'user', content });
      content = '';
    }
    content += paragraph;
  }
  messages.push({ role: 'user', content });
  return {
    route: BENCH_ROUTE,
    messages,
    pii: [
      { field: 'Contact.Name', value: 'Jane Doe' },
      { field: 'Contact.Name', value: 'Sam Lee' },
    ],
    options: { maxTokens: 300 },
    ...(deadlineMs !== undefined ? { deadlineMs } : {}),
  };
}
