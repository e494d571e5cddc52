import type { ModelRegistry } from '../models/model-registry.ts';
import { notReady } from './api-error.ts';

/**
 * What the routes need to know about the process: the registry once models are loaded,
 * and whether the service is draining for shutdown. The server listens before models are
 * loaded so liveness answers at once; readiness waits for the registry.
 */
export class ServiceState {
  private loaded: ModelRegistry | undefined;
  private draining = false;

  get ready(): boolean {
    return this.loaded !== undefined && !this.draining;
  }

  setRegistry(registry: ModelRegistry): void {
    this.loaded = registry;
  }

  /** Readiness turns false so load balancers stop sending traffic while in-flight requests finish. */
  startDraining(): void {
    this.draining = true;
  }

  get registry(): ModelRegistry | undefined {
    return this.loaded;
  }

  /** The registry, or a 503 NOT_READY for requests that arrive while models are loading. */
  requireRegistry(): ModelRegistry {
    if (!this.loaded) throw notReady('models are still loading; retry in a moment');
    return this.loaded;
  }
}
