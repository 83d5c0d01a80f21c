import { isLeft } from 'fp-ts/lib/Either.js'
import { loadConfig, redactConfig } from '../../config/load-config.js'
import { createLogger } from '../../support/logger.js'
import { startService } from '../../runtime/service.js'
import { tracingFromEnv } from '../../config/tracing-env.js'
import { startTracing } from '../../support/tracing/otel-sdk.js'

const HELP = `Usage: telemetry-client run

Consumes telemetry requests from Kafka, edits the Prometheus scrape-config secret, creates the
Grafana dashboards and publishes the results. Configured by environment variables only (see
docs/configuration.md). Stops gracefully on SIGTERM/SIGINT; a second signal exits at once.`

/** Runs until SIGTERM/SIGINT; returns the process exit code. */
export const runCommand = async (args: readonly string[]): Promise<number> => {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${HELP}\n`)
    return 0
  }
  const loaded = loadConfig(process.env)
  if (isLeft(loaded)) {
    process.stderr.write(`telemetry-client: invalid configuration:\n${loaded.left.map((line) => `  - ${line}`).join('\n')}\n`)
    return 1
  }
  const config = loaded.right
  const logger = createLogger(config.service.logLevel)
  logger.info({ config: redactConfig(config) }, 'starting')
  // OpenTelemetry by its own standard variables; a value it cannot use is a warning, not a stop
  const traced = tracingFromEnv(process.env)
  for (const warning of traced.warnings) logger.warn({ warning }, 'OpenTelemetry setting ignored')
  const tracing = startTracing(traced.settings)
  if (tracing.enabled)
    logger.info({ endpoint: traced.settings.endpoint, protocol: traced.settings.protocol, sampler: traced.settings.sampler }, 'tracing: exporting spans')
  let service
  try {
    service = await startService(config, { logger, tracing })
  } catch (error) {
    logger.fatal({ err: error instanceof Error ? error.message : String(error) }, 'start-up failed')
    return 1
  }
  logger.info('ready: consuming requests')
  const running = service
  return new Promise<number>((resolve) => {
    let signals = 0
    const onSignal = (signal: NodeJS.Signals) => {
      signals += 1
      if (signals > 1) {
        logger.warn({ signal }, 'second signal: exiting now')
        process.exit(1)
      }
      logger.info({ signal }, 'stopping: finishing in-flight work')
      // exit explicitly once stopped: a client library's idle socket or timer must not keep a
      // stopped service alive past its grace period (Kubernetes would SIGKILL it)
      running
        .stop()
        .then(async () => tracing.shutdown().catch(() => undefined))
        .then(
          () => {
            logger.info('stopped')
            logger.flush()
            resolve(0)
            setImmediate(() => process.exit(0))
          },
          (error: unknown) => {
            logger.error({ err: error }, 'stop failed')
            logger.flush()
            resolve(1)
            setImmediate(() => process.exit(1))
          },
        )
    }
    process.on('SIGTERM', onSignal)
    process.on('SIGINT', onSignal)
  })
}
