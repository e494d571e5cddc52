import { pino } from 'pino';
import type { Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs. Nothing that carries record data is ever logged: request logs hold
 * the method, route, status, latency and request id; scoring logs hold counts, never
 * feature values. The redact list is a second line of defence for fields a future log
 * line might include by mistake.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'byom-inference' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: [
          'features',
          '*.features',
          'records',
          '*.records',
          'authorization',
          '*.authorization',
          'apiKey',
          // The LLM gateway's prompt, PII and answer fields.
          'messages',
          '*.messages',
          'pii',
          '*.pii',
          'text',
          '*.text',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
