/**
 * pino JSON logs to stdout. Credentials are redacted by path wherever a config or an error could
 * carry them, so a token never reaches a log line.
 */
import { pino, type Logger } from 'pino'

export type { Logger }

export const REDACTED_PATHS = [
  'token',
  'password',
  '*.token',
  '*.password',
  '*.auth',
  '*.*.auth',
  '*.sasl',
  '*.*.sasl',
  'authorization',
  '*.authorization',
  '*.headers.authorization',
  'config.grafana.auth',
  'config.kafka.sasl',
]

export const createLogger = (level: string, destination?: NodeJS.WritableStream): Logger =>
  pino(
    { level, base: { service: 'telemetry-client' }, redact: { paths: REDACTED_PATHS, censor: '***' }, timestamp: pino.stdTimeFunctions.isoTime },
    destination ?? process.stdout,
  )
