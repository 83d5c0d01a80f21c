/**
 * The composition root: opens one room per external system (Redis, Grafana, Kubernetes, Kafka),
 * each as `{ port, ready, close }`, and wires the data path once, top to bottom:
 *
 *   Kafka → kafka.batches$ → ingest$ (inbox in Redis, dead letters) → commit
 *                              └→ wake(serviceId) → laneByKey → drainService$ → steps → events → results
 *
 * It owns start-up (resume every service with pending work) and graceful shutdown.
 */
import type { Subscription } from 'rxjs'
import type { Config } from '../config/config.js'
import { desiredFingerprints } from '../effects/desired-state.js'
import { hedgePolicyFor } from '../effects/hedged-read.js'
import { runStep$ } from '../effects/steps/run-step.js'
import { renderedJobBytes } from '../effects/prometheus/job-size.js'
import type { StepDeps } from '../effects/steps/step-deps.js'
import { tracedStore } from '../state/store/traced-store.js'
import { ingest$, RECORD_BATCH_MAX_ATTEMPTS } from '../streams/ingest.js'
import type { ResultProducer } from '../streams/kafka/kafka-publisher.js'
import { crashPointFromEnv, type CrashPoint } from '../streams/crash-points.js'
import { DRAIN_RETRY_DELAY_MS, startServiceLanes, SWEEP_INTERVAL_MS } from '../streams/service-lanes.js'
import type { ConsumerTuning } from '../streams/kafka/kafka-client.js'
import type { Logger } from '../support/logger.js'
import { startHttpServer, type HttpServer, type Readiness } from './http-server.js'
import { startReadinessChecks } from './readiness-checks.js'
import { createRetryMetrics } from './retry-metrics.js'
import { createMetrics, recordReceived, type Metrics } from './metrics.js'
import { logHandlerError, observeDrainEvent, timedStep } from './observe-drain.js'
import { NO_TRACING, type Tracing } from '../support/tracing/tracing.js'
import { logTraceFields } from '../support/tracing/trace-context.js'
import { SCRAPE_CONFIG_STEP_NAMES, SECRET_STEP_NAMES, traceRetryWaits, tracedSteps } from '../effects/steps/traced-step.js'
import { createTraceMetrics } from './trace-metrics.js'
import { openRedisRoom } from './rooms/redis-room.js'
import { openGrafanaRoom } from './rooms/grafana-room.js'
import { startScrapeBackend } from './rooms/scrape-backend.js'
import { openKafkaRoom } from './rooms/kafka-room.js'

export interface ServiceOptions {
  readonly logger: Logger
  readonly consumerTuning?: ConsumerTuning
  /** how often services with pending work are woken again (retries after failed drains) */
  readonly sweepIntervalMs?: number
  readonly now?: () => Date
  /** test fault points (see crash-points.ts); read from TELEMETRY_CRASH_AT by default */
  readonly crashPoint?: CrashPoint
  /** tests: put a broker-like limit (or a fault) in front of the result producer */
  readonly wrapProducer?: (producer: ResultProducer) => ResultProducer
  /** OpenTelemetry (the OTEL_* variables, see config/tracing-env.ts); off by default */
  readonly tracing?: Tracing
}

export interface RunningService {
  readonly metrics: Metrics
  /** the health/metrics endpoint (/livez, /readyz, /metrics) */
  readonly http: HttpServer
  /** each dependency's check, as /readyz reports it */
  readiness(): Promise<Readiness>
  /** true while every dependency answers */
  ready(): Promise<boolean>
  stop(): Promise<void>
}

export const startService = async (config: Config, options: ServiceOptions): Promise<RunningService> => {
  const { logger } = options
  const tracing = options.tracing ?? NO_TRACING
  const startedAtMs = Date.now()
  const now = options.now ?? (() => new Date())
  const nowMs = () => now().getTime()
  const metrics = createMetrics()
  const hedgePolicy = hedgePolicyFor(config.service.hedgeMaxExtraRatio)

  // the rooms: Redis first (no Redis, no start), then the ones that may be down at start
  const redis = await openRedisRoom(config, { logger, nowMs })
  const grafana = openGrafanaRoom(config, { logger, metrics, tracing, hedgePolicy })
  const kube = startScrapeBackend(config, { logger, metrics, tracing, hedgePolicy })
  const kafka = openKafkaRoom(config, {
    logger,
    metrics,
    now,
    ...(options.consumerTuning ? { consumerTuning: options.consumerTuning } : {}),
    ...(options.wrapProducer ? { wrapProducer: options.wrapProducer } : {}),
  })

  // readiness from background checks, one per room; /readyz only reads their last facts
  const { fastIntervalMs, slowIntervalMs } = config.service.readiness
  const readinessChecks = startReadinessChecks([
    { name: 'kafka', intervalMs: fastIntervalMs, check: () => kafka.ready() },
    { name: 'redis', intervalMs: fastIntervalMs, check: () => redis.ready() },
    { name: 'kubernetes', intervalMs: slowIntervalMs, check: () => kube.ready() },
    { name: 'grafana', intervalMs: slowIntervalMs, check: () => grafana.ready() },
  ])
  kafka.watchMembership((member, reason) => readinessChecks.report('kafka', member, reason))

  const results = { sourceUri: config.service.sourceUri, grafanaPublicUrl: config.grafana.publicUrl, echo: config.service.limits }
  const stepDeps: StepDeps = {
    scrapeTargets: kube.targets,
    grafana: grafana.port,
    publish: (record) => kafka.publish(record),
    now,
    datasources: {
      prometheusDatasourceUid: config.grafana.prometheusDatasourceUid,
      lokiDatasourceUid: config.grafana.lokiDatasourceUid,
      lokiServiceLabel: config.grafana.lokiServiceLabel,
    },
    results,
    targetAllow: config.targets.allow,
  }
  const stepNames = config.scrape.backend === 'scrapeconfig' ? SCRAPE_CONFIG_STEP_NAMES : SECRET_STEP_NAMES
  let waitingServices = (): number => 0
  const observeRetries = createRetryMetrics(metrics.registry, () => waitingServices(), logger)
  const lanes = startServiceLanes({
    store: tracedStore(redis.store, tracing),
    desired: desiredFingerprints(stepDeps.datasources),
    runStep: tracedSteps(tracing, (step, state) => timedStep(metrics, step.type, () => runStep$(step, state, stepDeps)), stepNames, startedAtMs),
    ...(tracing.enabled ? { onOutcome: (step, events) => traceRetryWaits(tracing, step, events, nowMs()) } : {}),
    nowMs,
    crash: options.crashPoint ?? crashPointFromEnv(process.env),
    ...(redis.lease === undefined ? {} : { lease: redis.lease }),
    maxActive: config.service.maxParallelServices,
    idleMs: config.service.laneIdleMs,
    sweepIntervalMs: options.sweepIntervalMs ?? SWEEP_INTERVAL_MS,
    retryDelayMs: DRAIN_RETRY_DELAY_MS,
    busyRetryMs: redis.lease?.busyRetryMs ?? DRAIN_RETRY_DELAY_MS,
    patience: {
      deadlineMs: config.patience.requestDeadlineMs,
      baseDelayMs: config.patience.retryBaseDelayMs,
      maxDelayMs: config.patience.retryMaxDelayMs,
      random: Math.random,
    },
    onEvent: (event) => {
      observeDrainEvent(metrics, logger, event)
      observeRetries(event)
    },
    onHandlerError: (serviceId, error, trace) => logHandlerError(logger, serviceId, error, trace),
  })
  waitingServices = () => lanes.waitingServices()
  metrics.readFrom({ openLanes: () => lanes.openLanes() })

  const readiness = (): Promise<Readiness> => {
    const facts = readinessChecks.facts()
    const entries = Object.entries(facts)
    return Promise.resolve({
      ready: entries.length > 0 && entries.every(([, fact]) => fact.ok),
      checks: Object.fromEntries(entries.map(([name, fact]) => [name, fact.ok])),
      facts,
      // an outage in progress: requests waiting out a transient fault (not a readiness failure: the service is doing its job)
      waitingOnRetry: lanes.waitingServices(),
      details: { grafanaApi: grafana.apiShown() },
    })
  }
  // up before Kafka connects: liveness must not wait for dependencies
  const http = await startHttpServer({ port: config.service.httpPort, ready: readiness, registry: metrics.registry })
  await kafka.connect()

  const traceMetrics = createTraceMetrics(metrics.registry)
  const inbox: Subscription = ingest$(kafka.batches$, {
    store: redis.store,
    sendRecords: kafka.sendRecords,
    now,
    deadLetterTopic: config.service.deadLetterTopic,
    limits: config.service.limits,
    jobBytes: renderedJobBytes,
    maxRecordBytes: config.kafka.maxRecordBytes,
    results,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    maxAttempts: RECORD_BATCH_MAX_ATTEMPTS,
    onRejected: (delivery, reason, trace) => {
      metrics.deadLetters.inc()
      logger.warn(
        { topic: delivery.topic, partition: delivery.partition, offset: delivery.offset, reason, ...logTraceFields(trace) },
        'message rejected and dead-lettered',
      )
    },
    onRetry: (error, attempt) => logger.warn({ err: error instanceof Error ? error.message : String(error), attempt }, 'could not record batch; retrying'),
    tracing: {
      tracing,
      consumerGroup: config.kafka.groupId,
      maxAttributeBytes: config.service.limits.maxExtensionAttributeBytes,
      onMalformed: traceMetrics.malformed,
    },
  }).subscribe((report) => {
    recordReceived(metrics, report)
    for (const { serviceId } of report.accepted) lanes.wake(serviceId)
  })

  /** Let running drains finish (or reach the grace deadline); what is left stays pending in the log. */
  const waitForDrains = async (graceMs: number) => {
    const deadline = Date.now() + graceMs
    while (lanes.activeDrains() > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
  }

  let stopping: Promise<void> | undefined
  return {
    metrics,
    http,
    readiness,
    ready: async () => (await readiness()).ready,
    stop: () =>
      (stopping ??= (async () => {
        // stop fetching first (kafkajs waits for the batch in hand: it is recorded, then committed)
        lanes.quiesce()
        readinessChecks.stop()
        await kafka.stopFetching()
        inbox.unsubscribe()
        await waitForDrains(config.service.shutdownGraceMs)
        lanes.stop()
        kube.close()
        await kafka.close()
        redis.close()
        await http.stop()
        // what the batch processor still holds goes out before the process exits
        await tracing.forceFlush().catch(() => undefined)
      })()),
  }
}
