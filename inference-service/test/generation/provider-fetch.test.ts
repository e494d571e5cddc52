import assert from 'node:assert/strict';
import { createServer, request as httpRequest } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { APICallError } from 'ai';
import { classifyFailure } from '../../src/generation/providers/model-call.ts';
import { createProviderFetch, isOversizedAnswer } from '../../src/generation/providers/provider-fetch.ts';

/** A real local HTTP server: each path answers one way. */
function handle(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    switch (req.url) {
      case '/echo':
        res.setHeader('x-repeated', ['one', 'two']);
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ method: req.method, body, auth: req.headers.authorization ?? null }));
        return;
      case '/empty':
        res.writeHead(204).end();
        return;
      case '/large':
        res.writeHead(200, { 'content-type': 'text/plain' }).end('x'.repeat(4096));
        return;
      case '/redirect':
        res.writeHead(302, { location: '/echo' }).end();
        return;
      case '/slow':
        setTimeout(() => res.writeHead(200).end('late'), 2000).unref();
        return;
      default:
        res.writeHead(404).end();
    }
  });
}

describe('provider fetch', () => {
  let server: Server;
  let base: string;
  const providerFetch = createProviderFetch({ maxResponseBytes: 1024 });

  before(async () => {
    server = createServer(handle);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  it('sends the method, headers and body, and answers with a standard Response', async () => {
    const response = await providerFetch(`${base}/echo`, {
      method: 'POST',
      headers: { authorization: 'Bearer k', 'content-type': 'application/json', 'x-unset': undefined } as never,
      body: '{"hello":"world"}',
    });
    assert.ok(response instanceof Response);
    assert.equal(response.status, 201);
    assert.equal(response.statusText, 'Created');
    assert.equal(response.ok, true);
    assert.equal(response.headers.get('x-repeated'), 'one, two');
    assert.deepEqual(await response.json(), { method: 'POST', body: '{"hello":"world"}', auth: 'Bearer k' });
  });

  it('accepts Headers, entry lists, URL objects and byte bodies', async () => {
    const response = await providerFetch(new URL(`${base}/echo`), {
      method: 'PUT',
      headers: new Headers({ authorization: 'Bearer h' }),
      body: new TextEncoder().encode('bytes'),
    });
    assert.deepEqual(await response.json(), { method: 'PUT', body: 'bytes', auth: 'Bearer h' });
    const listed = await providerFetch(`${base}/echo`, { method: 'POST', headers: [['authorization', 'Bearer l']] });
    assert.equal(((await listed.json()) as { auth: string }).auth, 'Bearer l');
  });

  it('gives a body-less status a body-less Response', async () => {
    const response = await providerFetch(`${base}/empty`, { method: 'POST', body: '{}' });
    assert.equal(response.status, 204);
    assert.equal(response.body, null);
  });

  it('does not follow redirects: the provider answered, and the attempt fails on its status', async () => {
    const response = await providerFetch(`${base}/redirect`, { method: 'POST', body: '{}' });
    assert.equal(response.status, 302);
    assert.equal(response.headers.get('location'), '/echo');
  });

  it('fails like fetch when the provider cannot be reached', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await assert.rejects(
      providerFetch(`http://127.0.0.1:${port}/v1/chat/completions`, { method: 'POST', body: '{}' }),
      (error) => {
        assert.ok(error instanceof TypeError);
        assert.equal(error.message, 'fetch failed');
        assert.ok(error.cause instanceof Error, 'the cause says why');
        return true;
      },
    );
  });

  it("rejects with the signal's reason when the caller aborts", async () => {
    const controller = new AbortController();
    const reason = new DOMException('deadline', 'TimeoutError');
    setTimeout(() => controller.abort(reason), 50);
    await assert.rejects(
      providerFetch(`${base}/slow`, { method: 'POST', body: '{}', signal: controller.signal }),
      (error) => {
        assert.equal(error, reason);
        return true;
      },
    );
  });

  it('refuses an answer larger than the limit, and the attempt counts as an invalid response', async () => {
    const error = await providerFetch(`${base}/large`).then(
      () => assert.fail('an oversized answer must fail'),
      (failure: unknown) => failure,
    );
    assert.ok(error instanceof TypeError);
    assert.ok(isOversizedAnswer(error.cause), 'the cause is the size limit');
    // What the AI SDK makes of a failed fetch, and what the fallback runner then records.
    const sdkError = new APICallError({
      message: 'Cannot connect to API',
      url: base,
      requestBodyValues: {},
      cause: error.cause,
    });
    assert.deepEqual(classifyFailure(sdkError), {
      outcome: 'invalid_response',
      status: null,
      message: 'the provider answered with a body too large to read',
    });
  });

  it('goes through the proxy HTTP_PROXY names, except for hosts in NO_PROXY', { timeout: 10_000 }, async () => {
    const tunnels: string[] = [];
    // A forwarding proxy: absolute-form requests for http:// targets, CONNECT tunnels otherwise.
    const proxy = createServer((req, res) => {
      const target = new URL(req.url ?? '');
      tunnels.push(target.host);
      const forward = httpRequest(target, { method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      forward.on('error', () => res.destroy());
      req.pipe(forward);
    });
    proxy.on('connect', (req: IncomingMessage, client: Duplex, head: Buffer) => {
      tunnels.push(req.url ?? '');
      const [host, port] = (req.url ?? '').split(':');
      const upstream = connect(Number(port), host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client).pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    try {
      const viaProxy = createProviderFetch({ env: { HTTP_PROXY: proxyUrl } });
      const answer = await viaProxy(`${base}/echo`, { method: 'POST', body: 'proxied' });
      assert.equal(((await answer.json()) as { body: string }).body, 'proxied');
      assert.deepEqual(tunnels, [new URL(base).host], 'the request went through the proxy');

      const bypass = createProviderFetch({ env: { HTTP_PROXY: proxyUrl, NO_PROXY: '127.0.0.1' } });
      await (await bypass(`${base}/echo`, { method: 'POST', body: 'direct' })).text();
      assert.equal(tunnels.length, 1, 'a NO_PROXY host is called directly');
    } finally {
      proxy.closeAllConnections();
      proxy.close();
    }
  });

  it('hands bodies it does not read itself (streams) to the global fetch', async () => {
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('streamed'));
        controller.close();
      },
    });
    const response = await providerFetch(`${base}/echo`, {
      method: 'POST',
      body: stream,
      duplex: 'half',
    } as RequestInit);
    assert.equal(((await response.json()) as { body: string }).body, 'streamed');
  });
});
