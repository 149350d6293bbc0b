import { type DestinationStream, type Logger, pino } from 'pino';
import { redactSecrets, redactText } from './redact.js';
import { traceFields } from './tracing.js';

export type { Logger };

/** JSON logger whose every record (message and fields, at any depth) passes through secret redaction. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'em-agent' },
      timestamp: pino.stdTimeFunctions.isoTime,
      // trace_id and span_id of the active span (none when tracing is off).
      mixin: traceFields,
      formatters: {
        level: (label) => ({ level: label }),
        log: (record) => redactSecrets(record) as Record<string, unknown>,
      },
      hooks: {
        logMethod(args, method) {
          const scrubbed = args.map((arg) => (typeof arg === 'string' ? redactText(arg) : arg));
          return method.apply(this, scrubbed as Parameters<typeof method>);
        },
      },
      serializers: { err: (err: unknown) => redactSecrets(err) },
    },
    destination,
  );
}
