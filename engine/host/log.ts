import { pino, type Logger } from 'pino';

/**
 * The host's structured logger. Anything that could carry a credential or the per-run access token is
 * redacted by path, so a careless field never prints it.
 */
export function createLogger(options: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? process.env.MM_LOG_LEVEL ?? 'info',
      base: undefined,
      redact: {
        paths: [
          'token',
          '*.token',
          'apiKey',
          '*.apiKey',
          'apiSecret',
          '*.apiSecret',
          'secret',
          '*.secret',
          'password',
          'url',
          '*.url',
        ],
        censor: '[redacted]',
      },
    },
    options.destination ?? process.stderr,
  );
}

export type { Logger };
