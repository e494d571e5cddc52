import { ApiError } from "../http/api-error.js";
/** An ApiError that also says how long the request took, for the timing headers. */
export class GatewayError extends ApiError {
    name = 'GatewayError';
    timing;
    constructor(status, code, message, details, timing) {
        super(status, code, message, details);
        this.timing = timing;
    }
}
