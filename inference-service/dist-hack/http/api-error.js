/** The one error type routes throw; the app's onError turns it into `{ error: { code, message } }`. */
export class ApiError extends Error {
    name = 'ApiError';
    status;
    code;
    details;
    constructor(status, code, message, details) {
        super(message);
        this.status = status;
        this.code = code;
        this.details = details;
    }
}
