import type { Context } from 'hono';
import type { GenerationTiming } from '../generation/domain.ts';
import { GatewayError } from '../generation/gateway/gateway-error.ts';

/**
 * The timing headers every answer of the two generation endpoints (error or not) carries:
 *
 *   Server-Timing: gateway;dur=0.84, provider;dur=612.3
 *   X-BYOM-Gateway-Ms: 0.84
 */

function setTimingHeaders(c: Context, timing: GenerationTiming): void {
  c.header('Server-Timing', `gateway;dur=${timing.gatewayMs}, provider;dur=${timing.providerMs}`);
  c.header('X-BYOM-Gateway-Ms', String(timing.gatewayMs));
}

/** Runs the gateway; its errors keep their timing headers on the way to the app's error handler (which sets Retry-After). */
export async function withTimingHeaders<T extends GenerationTiming>(c: Context, run: () => Promise<T>): Promise<T> {
  try {
    const result = await run();
    setTimingHeaders(c, result);
    return result;
  } catch (error) {
    if (error instanceof GatewayError) setTimingHeaders(c, error.timing);
    throw error;
  }
}
