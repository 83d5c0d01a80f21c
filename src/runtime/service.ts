/**
 * The composition root: builds the clients from the configuration and wires the data path
 *
 *   Kafka → kafkaBatches$ → ingest$ (inbox in Redis, dead letters) → commit
 *                             └→ wake(serviceId) → laneByKey → drainService$ → effects → events → results
 *
 * and owns start-up (resume every service with pending work) and graceful shutdown.
 */
import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import type { Subscription } from 'rxjs'
import type { Config } from '../config/config.js'
import { RequestTopics } from '../codecs/topics.js'
import { desiredFingerprints } from '../effects/desired-state.js'
import { createGrafanaClient, describeApi, type GrafanaClient } from '../effects/grafana/grafana-client.js'
import { createHedger, hedgePolicyFor } from '../effects/hedged-read.js'
import type { SecretClient } from '../effects/kube/secret/kube-secret-client.js'
import { runStep$ } from '../effects/steps/run-step.js'
import { renderedJobBytes } from '../effects/prometheus/job-size.js'
import type { SecretWriter } from '../effects/kube/secret/secret-writer.js'
import type { ScrapeConfigApplier } from '../effects/kube/scrapeconfig/scrape-config-applier.js'
import { startScrapeBackend } from './scrape-backend.js'
import type { StepDeps } from '../effects/steps/step-deps.js'
import { createEventStore, type EventStore } from '../state/store/event-store.js'
import { tracedStore } from '../state/store/traced-store.js'
import { createServiceLease } from '../state/store/service-lease.js'
import type { RedisClient } from '../state/store/redis-scripts.js'
import { ingest$ } from '../streams/ingest.js'
import { kafkaBatches$ } from '../streams/kafka/kafka-source.js'
import { createBatchingSender } from '../operators/batching-sender.js'
import { createRecordSender, type ResultProducer } from '../streams/kafka/kafka-publisher.js'
import { crashPointFromEnv, type CrashPoint } from '../streams/crash-points.js'
import { startServiceLanes, type ServiceLanes } from '../streams/service-lanes.js'
import { createKafka, type ConsumerTuning } from '../streams/kafka/kafka-client.js'
import type { Logger } from '../support/logger.js'
import { createRedis } from '../state/store/redis-client.js'
import { warnOnUnsafeRedisSettings } from './redis-settings-warning.js'
import { startHttpServer, type HttpServer, type Readiness } from './http-server.js'
import { startReadinessChecks, type ReadinessCheck } from './readiness-checks.js'
import { createRequestConsumer, createResultProducer } from '../streams/kafka/request-consumer.js'
import { createRetryMetrics } from './retry-metrics.js'
import { startRetentionSchedule } from './retention-schedule.js'
import { createRetention } from '../state/store/retention.js'
import { createMetrics, recordReceived, type Metrics } from './metrics.js'
import { logHandlerError, observeDrainEvent, timedStep } from './observe-drain.js'
import { NO_TRACING, type Tracing } from '../support/tracing/tracing.js'
import { logTraceFields } from '../support/tracing/trace-context.js'
import { SCRAPE_CONFIG_STEP_NAMES, SECRET_STEP_NAMES, traceRetryWaits, tracedSteps } from '../effects/steps/traced-step.js'
import { createTraceMetrics } from './trace-metrics.js'

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
  readonly store: EventStore
  /** secret mode only */
  readonly secretWriter?: SecretWriter
  readonly secretClient?: SecretClient
  /** scrapeconfig mode only */
  readonly scrapeConfigs?: ScrapeConfigApplier
  readonly grafana: GrafanaClient
  readonly metrics: Metrics
  /** the health/metrics endpoint (/livez, /readyz, /metrics) */
  readonly http: HttpServer
  /** the number of lanes currently open */
  openLanes(): number
  /** each dependency's check, as /readyz reports it */
  readiness(): Promise<Readiness>
  /** true while every dependency answers */
  ready(): Promise<boolean>
  stop(): Promise<void>
}

/** Who holds a lease: host and pid for operators, plus randomness so a restarted pid is someone new. */
const replicaId = (): string => `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`

/** Fail fast with a clear error when Redis is not reachable at start. */
const connectRedis = async (redis: RedisClient, url: string): Promise<void> => {
  try {
    await redis.connect()
    await redis.ping()
  } catch (error) {
    redis.disconnect()
    throw new Error(`Redis is not reachable at ${new URL(url).host}: ${error instanceof Error ? error.message : String(error)}`, { cause: error })
  }
}

export const startService = async (config: Config, options: ServiceOptions): Promise<RunningService> => {
  const { logger } = options
  const tracing = options.tracing ?? NO_TRACING
  const startedAtMs = Date.now()
  const now = options.now ?? (() => new Date())
  const redis = createRedis(config.redis)
  await connectRedis(redis, config.redis.url)
  redis.on('error', (error: Error) => logger.warn({ err: error.message }, 'redis connection problem'))
  await warnOnUnsafeRedisSettings(redis, logger)
  const store = createEventStore(redis, config.redis.keyPrefix)

  // one hedger per server: each has its own latencies, extra-call budget and distress state
  const hedgePolicy = hedgePolicyFor(config.service.hedgeMaxExtraRatio)
  const grafanaHedger = createHedger({ policy: hedgePolicy })
  const kubeHedger = createHedger({ policy: hedgePolicy })
  const grafana = createGrafanaClient({
    baseUrl: config.grafana.url,
    auth: config.grafana.auth,
    retry: { retries: config.grafana.retries, timeoutMs: config.grafana.timeoutMs },
    maxConcurrency: config.grafana.maxConcurrency,
    api: config.grafana.api,
    namespace: config.grafana.namespace,
    tracing,
    hedger: grafanaHedger,
    onApiChosen: (api) => logger.info({ grafanaApi: describeApi(api), grafanaApiSetting: config.grafana.api }, 'Grafana API chosen'),
  })
  // ask discovery now, so /readyz and the log say early which API is in use; Grafana down is no
  // reason not to start: the first dashboard call asks again
  grafana.chooseApi().catch((error: unknown) => logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'Grafana API discovery failed; asked again on the first dashboard call'))
  // the lanes start later but the metrics read them: a holder filled in once they exist
  const lanes: { current?: ServiceLanes } = {}
  const metrics = createMetrics({
    openLanes: () => lanes.current?.openLanes() ?? 0,
    grafanaRetries: () => grafana.retries,
    hedgedReads: () => new Map([...grafanaHedger.counts, ...kubeHedger.counts]),
  })
  const observeRetries = createRetryMetrics(metrics.registry, () => lanes.current?.waitingServices() ?? 0, logger)
  const backend = startScrapeBackend(config.scrape, config.kube.kubeconfigPath, {
    logger,
    metrics,
    secretSizeWarnRatio: config.service.secretSizeWarnRatio,
    tracing,
    hedger: kubeHedger,
  })
  const traceMetrics = createTraceMetrics(metrics.registry)

  let joined = false
  const { fastIntervalMs, slowIntervalMs } = config.service.readiness
  // one entry per dependency; /readyz reports each by its name
  const checks: readonly ReadinessCheck[] = [
    { name: 'kafka', intervalMs: fastIntervalMs, check: () => (joined ? Promise.resolve('member of the consumer group') : Promise.reject(new Error('not a member of the consumer group'))) },
    { name: 'redis', intervalMs: fastIntervalMs, check: async () => ((await store.ping()) ? 'PONG' : Promise.reject(new Error('no PONG from Redis'))) },
    { name: 'kubernetes', intervalMs: slowIntervalMs, check: () => backend.check() },
    { name: 'grafana', intervalMs: slowIntervalMs, check: async () => ((await grafana.health()) ? '/api/health: database ok' : Promise.reject(new Error('/api/health did not answer database ok'))) },
  ]
  const readinessChecks = startReadinessChecks(checks)
  const grafanaApiShown = (): string => {
    const api = grafana.apiInUse()
    return api === undefined ? `not yet discovered (GRAFANA_API=${config.grafana.api})` : describeApi(api)
  }
  const readiness = (): Promise<Readiness> => {
    const facts = readinessChecks.facts()
    const entries = Object.entries(facts)
    return Promise.resolve({
      ready: entries.length > 0 && entries.every(([, fact]) => fact.ok),
      checks: Object.fromEntries(entries.map(([name, fact]) => [name, fact.ok])),
      facts,
      // an outage in progress: requests waiting out a transient fault (not a readiness failure: the service is doing its job)
      waitingOnRetry: lanes.current?.waitingServices() ?? 0,
      details: { grafanaApi: grafanaApiShown() },
    })
  }
  // up before Kafka connects: liveness must not wait for dependencies
  const http = await startHttpServer({ port: config.service.httpPort, ready: readiness, registry: metrics.registry })

  const kafka = createKafka(config.kafka, logger)
  const created = createResultProducer(kafka)
  const producer = options.wrapProducer?.(created) ?? created
  const consumer = createRequestConsumer(kafka, config.kafka, { logger, onLag: (topic, partition, lag) => metrics.consumerLag.set({ topic, partition: String(partition) }, lag), ...(options.consumerTuning ? { tuning: options.consumerTuning } : {}), onMembership: (member) => {
    joined = member
    readinessChecks.report('kafka', member, member ? 'member of the consumer group' : 'not a member of the consumer group')
  } })
  await producer.connect()
  await consumer.connect()
  await consumer.subscribe({ topics: Object.values(RequestTopics), fromBeginning: true })
  const sendRecords = createRecordSender(producer, {
    maxRecordBytes: config.kafka.maxRecordBytes,
    deadLetterTopic: config.service.deadLetterTopic,
    now,
    onUnsendable: (record, reason) => {
      metrics.deadLetters.inc()
      logger.error({ topic: record.topic, key: record.key.slice(0, 200), bytes: record.value.length, reason, ...logTraceFields(record.trace) }, 'record could not be sent; dead-lettered in its place')
    },
  })
  const resultSender = createBatchingSender(sendRecords)

  const results = { sourceUri: config.service.sourceUri, grafanaPublicUrl: config.grafana.publicUrl, echo: config.service.limits }
  const stepDeps: StepDeps = {
    scrapeTargets: backend.targets,
    grafana,
    publish: (record) => resultSender.send(record),
    now,
    datasources: { prometheusDatasourceUid: config.grafana.prometheusDatasourceUid, lokiDatasourceUid: config.grafana.lokiDatasourceUid, lokiServiceLabel: config.grafana.lokiServiceLabel },
    results,
    targetAllow: config.targets.allow,
  }
  const running = startServiceLanes({
    store: tracedStore(store, tracing),
    desired: desiredFingerprints(stepDeps.datasources),
    runStep: tracedSteps(tracing, (step, state) => timedStep(metrics, step.type, () => runStep$(step, state, stepDeps)), config.scrape.backend === 'scrapeconfig' ? SCRAPE_CONFIG_STEP_NAMES : SECRET_STEP_NAMES, startedAtMs),
    ...(tracing.enabled ? { onOutcome: (step, events) => traceRetryWaits(tracing, step, events, now().getTime()) } : {}),
    nowMs: () => now().getTime(),
    crash: options.crashPoint ?? crashPointFromEnv(process.env),
    ...(config.service.leaseMs > 0
      ? { lease: { lease: createServiceLease(redis, config.redis.keyPrefix, replicaId(), config.service.leaseMs), renewMs: Math.max(50, Math.floor(config.service.leaseMs / 3)) } }
      : {}),
    maxActive: config.service.maxParallelServices,
    idleMs: config.service.laneIdleMs,
    sweepIntervalMs: options.sweepIntervalMs ?? 30_000,
    retryDelayMs: 2000,
    busyRetryMs: Math.max(100, Math.min(1000, Math.floor(config.service.leaseMs / 3))),
    patience: { deadlineMs: config.patience.requestDeadlineMs, baseDelayMs: config.patience.retryBaseDelayMs, maxDelayMs: config.patience.retryMaxDelayMs, random: Math.random },
    onEvent: (event) => {
      observeDrainEvent(metrics, logger, event)
      observeRetries(event)
    },
    onHandlerError: (serviceId, error, trace) => logHandlerError(logger, serviceId, error, trace),
  })
  lanes.current = running
  const retentionPolicy = { eventRetentionMs: config.retention.eventRetentionMs, inboxRetentionMs: config.retention.inboxRetentionMs, deletedGraceMs: config.retention.deletedGraceMs, batch: 500 }
  const retention = startRetentionSchedule(createRetention(redis, config.redis.keyPrefix, retentionPolicy), config.retention.intervalMs, () => now().getTime(), logger)

  let stopRequested = false
  const batches$ = kafkaBatches$(consumer, {
    canRestart: () => !stopRequested,
    onCrash: (error, restart, delayMs) => {
      metrics.consumerRestarts.inc()
      logger.warn({ err: error.message, restart: restart + 1, delayMs }, 'restarting the kafka consumer kafkajs gave up on')
    },
  })
  const inbox: Subscription = ingest$(batches$, {
    store,
    sendRecords,
    now,
    deadLetterTopic: config.service.deadLetterTopic,
    limits: config.service.limits,
    jobBytes: renderedJobBytes,
    maxRecordBytes: config.kafka.maxRecordBytes,
    results,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    maxAttempts: 20,
    onRejected: (delivery, reason, trace) => {
      metrics.deadLetters.inc()
      logger.warn({ topic: delivery.topic, partition: delivery.partition, offset: delivery.offset, reason, ...logTraceFields(trace) }, 'message rejected and dead-lettered')
    },
    onRetry: (error, attempt) => logger.warn({ err: error instanceof Error ? error.message : String(error), attempt }, 'could not record batch; retrying'),
    tracing: { tracing, consumerGroup: config.kafka.groupId, maxAttributeBytes: config.service.limits.maxExtensionAttributeBytes, onMalformed: traceMetrics.malformed },
  }).subscribe((report) => {
    recordReceived(metrics, report)
    for (const { serviceId } of report.accepted) running.wake(serviceId)
  })

  /** Let running drains finish (or reach the grace deadline); what is left stays pending in the log. */
  const waitForDrains = async (graceMs: number) => {
    const deadline = Date.now() + graceMs
    while (running.activeDrains() > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
  }

  let stopping: Promise<void> | undefined
  return {
    store,
    ...(backend.secretWriter === undefined ? {} : { secretWriter: backend.secretWriter }),
    ...(backend.secretClient === undefined ? {} : { secretClient: backend.secretClient }),
    ...(backend.applier === undefined ? {} : { scrapeConfigs: backend.applier }),
    grafana,
    metrics,
    http,
    openLanes: () => running.openLanes(),
    readiness,
    ready: async () => (await readiness()).ready,
    stop: () =>
      (stopping ??= (async () => {
        // stop fetching first (kafkajs waits for the batch in hand: it is recorded, then committed)
        stopRequested = true
        running.quiesce()
        retention.stop()
        readinessChecks.stop()
        await consumer.disconnect().catch(() => undefined)
        inbox.unsubscribe()
        await waitForDrains(config.service.shutdownGraceMs)
        running.stop()
        backend.close()
        resultSender.close()
        await producer.disconnect().catch(() => undefined)
        redis.disconnect()
        await http.stop()
        // what the batch processor still holds goes out before the process exits
        await tracing.forceFlush().catch(() => undefined)
      })()),
  }
}
