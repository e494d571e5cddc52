import { ApiError, notReady } from '../../http/api-error.ts';
import type { LlmGateway } from './llm-gateway.ts';

/**
 * Whether the LLM gateway is configured and loaded. The service listens before the AI SDK
 * and provider packages are imported (they take a few hundred milliseconds), and the
 * scoring API works without any LLM routes, so the generation endpoints ask here first.
 */
export class GatewayState {
  readonly configured: boolean;
  private loaded: LlmGateway | undefined;

  /** `routesFile` is BYOM_ROUTES; undefined when the operator has not set up any LLM routes. */
  constructor(routesFile: string | undefined, gateway?: LlmGateway) {
    this.configured = routesFile !== undefined || gateway !== undefined;
    this.loaded = gateway;
  }

  setGateway(gateway: LlmGateway): void {
    this.loaded = gateway;
  }

  /** The gateway, or the error that explains why there is none. */
  requireGateway(): LlmGateway {
    if (this.loaded) return this.loaded;
    if (!this.configured) {
      throw new ApiError(
        404,
        'ROUTE_NOT_FOUND',
        'no LLM routes are configured on this service: set BYOM_ROUTES to a routes file (see docs/llm-gateway.md)',
        { knownRoutes: [] },
      );
    }
    throw notReady('the LLM gateway is still starting; retry in a moment');
  }
}
