import { ApiError } from "./api-error.js";
/**
 * What the routes need to know about the process: the registry once models are loaded,
 * and whether the service is draining for shutdown. The server listens before models are
 * loaded so liveness answers at once; readiness waits for the registry.
 */
export class ServiceState {
    loaded;
    draining = false;
    get ready() {
        return this.loaded !== undefined && !this.draining;
    }
    setRegistry(registry) {
        this.loaded = registry;
    }
    /** Readiness turns false so load balancers stop sending traffic while in-flight requests finish. */
    startDraining() {
        this.draining = true;
    }
    get registry() {
        return this.loaded;
    }
    /** The registry, or a 503 NOT_READY for requests that arrive while models are loading. */
    requireRegistry() {
        if (!this.loaded)
            throw new ApiError(503, 'NOT_READY', 'models are still loading; retry in a moment');
        return this.loaded;
    }
}
