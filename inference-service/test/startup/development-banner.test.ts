import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { developmentBanner } from '../../src/startup/development-banner.ts';

describe('the development banner', () => {
  it('quotes the request body for the shell, whatever the card values hold', async () => {
    const request = {
      model: 'retail',
      version: '1.0.0',
      records: [{ id: 'example-1', features: { Segment: "Women's Apparel", Note: '$HOME `x` "y"' } }],
    };
    const banner = developmentBanner(
      { host: '127.0.0.1', port: 3000, apiKeys: ['k'.repeat(32)], devKeyFile: '/tmp/key' },
      { request, bundled: false },
    );
    const quoted = /-d ('.*')\n/.exec(banner)![1]!;
    const { stdout } = await promisify(execFile)('sh', ['-c', `printf %s ${quoted}`]);
    assert.deepEqual(JSON.parse(stdout), request);
    assert.match(banner, /Score a record with retail 1\.0\.0:/);
  });
});
