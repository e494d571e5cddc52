import type { TestContext } from '@salesforce/core/testSetup';

/**
 * A Salesforce org as the plugin's connection sees it in tests: `$$.fakeConnectionRequest`
 * routed to handlers by method and URL, SOQL answered by pattern. Every request is
 * recorded, and a request nothing answers fails the test with the request in the message,
 * so a test can never pass on an answer it did not define.
 */

export interface FakeRequest {
  method: string;
  url: string;
  body?: string;
  headers: Record<string, string>;
}

type Handler = (request: FakeRequest, match: RegExpMatchArray) => unknown;
type QueryAnswer = readonly object[] | ((soql: string) => readonly object[]);

export class FakeOrg {
  readonly requests: FakeRequest[] = [];
  private readonly routes: Array<{ method: string; pattern: RegExp; handler: Handler }> = [];
  private readonly queries: Array<{ pattern: RegExp; answer: QueryAnswer | Error }> = [];

  /** Answer `method` requests whose URL matches `pattern`; later routes win over earlier ones. */
  on(method: string, pattern: RegExp, handler: Handler): this {
    this.routes.unshift({ method, pattern, handler });
    return this;
  }

  /** Answer SOQL queries (REST or Tooling) matching `pattern` with these records, or fail them with `error`. */
  query(pattern: RegExp, answer: QueryAnswer | Error): this {
    this.queries.unshift({ pattern, answer });
    return this;
  }

  /** SOQL texts received, in order. */
  get soql(): string[] {
    return this.requests.flatMap((r) => {
      const q = new URL(r.url, 'https://org.example').searchParams.get('q');
      return q ? [q] : [];
    });
  }

  install($$: TestContext): this {
    $$.fakeConnectionRequest = (request) => this.handle(request as unknown as string | FakeRequest) as never;
    return this;
  }

  private async handle(raw: string | Partial<FakeRequest>): Promise<unknown> {
    const request: FakeRequest =
      typeof raw === 'string'
        ? { method: 'GET', url: raw, headers: {} }
        : {
            method: (raw.method ?? 'GET').toUpperCase(),
            url: raw.url ?? '',
            headers: raw.headers ?? {},
            ...(raw.body ? { body: raw.body } : {}),
          };
    this.requests.push(request);
    const q = new URL(request.url, 'https://org.example').searchParams.get('q');
    if (request.method === 'GET' && q !== null && /\/query\/?\?/.test(request.url)) {
      const found = this.queries.find((entry) => entry.pattern.test(q));
      if (!found) throw new Error(`fake org: no answer for query ${q}`);
      if (found.answer instanceof Error) throw found.answer;
      const records = typeof found.answer === 'function' ? found.answer(q) : found.answer;
      return { totalSize: records.length, done: true, records };
    }
    for (const route of this.routes) {
      const match = route.method === request.method ? request.url.match(route.pattern) : null;
      if (match) return route.handler(request, match);
    }
    throw new Error(`fake org: no answer for ${request.method} ${request.url}`);
  }
}

/** An error as the connection raises it for a failed API call. */
export function salesforceError(errorCode: string, message: string): Error {
  return Object.assign(new Error(message), { name: errorCode, errorCode });
}
