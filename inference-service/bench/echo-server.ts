import { serve } from '@hono/node-server';
import { Hono } from 'hono';

/**
 * The benchmark's yardstick: the cheapest thing a Hono app on Node can do with a score
 * request, which is to parse the JSON body and send it back. Scoring is reported as a
 * fraction of this route's request rate, so it must stay bare: no middleware, no logging,
 * no validation. Started by run-bench.ts (which posts to /echo); PORT and HOST come from
 * the environment.
 */

const app = new Hono();
app.post('/echo', async (c) => c.json(await c.req.json()));

serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 3100), hostname: process.env.HOST ?? '127.0.0.1' });
