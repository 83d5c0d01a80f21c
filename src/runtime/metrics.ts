/**
 * The service's Prometheus metrics, in a registry of its own.
 *
 * A private Registry (not prom-client's global one) so two services in one process (tests, the
 * dev stack) never collide on metric names, and so nothing a library registers globally leaks
 * into our /metrics. Values that already live elsewhere (open lanes, the Grafana client's retry
 * counts) are read at scrape time through collect callbacks instead of being pushed on every
 * change: the scrape is the only reader, and the sources stay free of metric code.
 *
 * What to alert on is described in docs/runbook.md ("Reading the metrics").
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import { REQUEST_KINDS } from '../codecs/topics.js'
import type { HedgeCounts } from '../effects/hedged-read.js'
import type { BatchReport } from '../effects/kube/secret/secret-batch-write.js'
import type { IngestReport } from '../streams/ingest.js'

/** Kubernetes rejects objects larger than 1 MiB (etcd's request limit); the secret must stay below. */
export const SECRET_LIMIT_BYTES = 1_048_576

export const REQUEST_STATUSES = ['SUCCESS', 'FAILURE'] as const
/** The step types of `decide` (src/state/decide.ts), `complete` included. */
export const STEPS = ['registerJob', 'removeJob', 'upsertDashboard', 'deleteDashboards', 'complete', 'publishResult'] as const

export type StepName = (typeof STEPS)[number]

/** Where values that live elsewhere are read at scrape time; each part registers its own once it exists. */
export interface MetricSources {
  /** lanes currently open in laneByKey */
  readonly openLanes?: () => number
  /** the Grafana client's cumulative retry counts per operation kind (`GrafanaClient.retries`) */
  readonly grafanaRetries?: () => ReadonlyMap<string, number>
  /** cumulative hedged-read counts per read kind of one server's hedger; each server adds its own */
  readonly hedgedReads?: () => ReadonlyMap<string, Readonly<HedgeCounts>>
}

export interface Metrics {
  readonly registry: Registry
  /** read these values at scrape time from now on (hedged reads add up; the others replace) */
  readFrom(sources: MetricSources): void
  /** completed requests; `kind` create|platform|delete, `status` SUCCESS|FAILURE */
  readonly requests: Counter<'kind' | 'status'>
  /** one observation per executed step */
  readonly stepDuration: Histogram<'step'>
  /** from the request's CloudEvent `time` (or its acceptance) to its result being published */
  readonly requestDuration: Histogram<'kind'>
  /** secret PUTs that changed the secret */
  readonly secretWrites: Counter
  /** how many edits one write carried (group commit efficiency) */
  readonly editsPerWrite: Histogram
  /** 409s on the secret (another writer got in between) */
  readonly secretConflicts: Counter
  /** requests that could not be decoded and were parked on the dead-letter topic */
  readonly deadLetters: Counter
  /** a step whose outcome another writer (a second replica) recorded first: its events were dropped */
  readonly supersededSteps: Counter
  /** request messages recorded in the inbox (or dead-lettered), by topic and what the inbox made of them */
  readonly requestsReceived: Counter<'topic' | 'outcome'>
  /** consumer runs started again by us after a crash kafkajs did not restart from */
  readonly consumerRestarts: Counter
  /** committed-offset lag of the consumer group, set by the caller */
  readonly consumerLag: Gauge<'topic' | 'partition'>
  /** size of the rendered scrape-config list after the last write */
  readonly secretBytes: Gauge
  /** ScrapeConfig backend: edits by operation and what became of each attempt */
  readonly scrapeConfigAttempts: Counter<'op' | 'outcome'>
  /** edits that met a job the log says is the service's but the ownership record (or a ScrapeConfig's mark) does not list */
  readonly ownershipRecordLost: Counter<'backend' | 'verdict'>
}

// Steps are single HTTP calls (or a secret batch): milliseconds normally, up to the retry budget.
const STEP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]
// A whole request: several steps plus queueing behind other requests of the same service.
const REQUEST_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600]
const EDITS_BUCKETS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]

export const createMetrics = (initial: MetricSources = {}): Metrics => {
  const sources: {
    openLanes: () => number
    grafanaRetries: () => ReadonlyMap<string, number>
    hedgedReads: Array<() => ReadonlyMap<string, Readonly<HedgeCounts>>>
  } = {
    openLanes: () => 0,
    grafanaRetries: () => new Map(),
    hedgedReads: [],
  }
  const readFrom = (more: MetricSources): void => {
    if (more.openLanes !== undefined) sources.openLanes = more.openLanes
    if (more.grafanaRetries !== undefined) sources.grafanaRetries = more.grafanaRetries
    if (more.hedgedReads !== undefined) sources.hedgedReads.push(more.hedgedReads)
  }
  readFrom(initial)
  const hedgeCounts = function* (): Generator<[string, Readonly<HedgeCounts>]> {
    for (const read of sources.hedgedReads) yield* read()
  }
  const registry = new Registry()
  const registers = [registry]
  collectDefaultMetrics({ register: registry })

  const requests = new Counter({
    name: 'telemetry_requests_total',
    help: 'Requests completed, by request kind and result status',
    labelNames: ['kind', 'status'] as const,
    registers,
  })
  // every series exists from the start, so rate() and absent() work before the first request
  for (const kind of REQUEST_KINDS) for (const status of REQUEST_STATUSES) requests.inc({ kind, status }, 0)

  const stepDuration = new Histogram({
    name: 'telemetry_step_duration_seconds',
    help: 'Duration of one step of a request (effect call until its outcome is known)',
    labelNames: ['step'] as const,
    buckets: STEP_BUCKETS,
    registers,
  })
  for (const step of STEPS) stepDuration.zero({ step })

  const requestDuration = new Histogram({
    name: 'telemetry_request_duration_seconds',
    help: 'Time from a request being published by SONATA to its result being published',
    labelNames: ['kind'] as const,
    buckets: REQUEST_BUCKETS,
    registers,
  })
  for (const kind of REQUEST_KINDS) requestDuration.zero({ kind })

  const secretWrites = new Counter({ name: 'telemetry_secret_writes_total', help: 'Writes (PUTs) of the scrape-config secret', registers })
  const editsPerWrite = new Histogram({
    name: 'telemetry_secret_edits_per_write',
    help: 'Scrape-job edits carried by one secret write (group commit batch size)',
    buckets: EDITS_BUCKETS,
    registers,
  })
  const secretConflicts = new Counter({
    name: 'telemetry_secret_conflicts_total',
    help: 'Secret writes refused with 409 Conflict (stale resourceVersion) and retried',
    registers,
  })
  const deadLetters = new Counter({ name: 'telemetry_dead_letter_total', help: 'Request messages rejected and written to the dead-letter topic', registers })
  const supersededSteps = new Counter({
    name: 'telemetry_superseded_steps_total',
    help: 'Steps whose outcome another writer recorded first (expected-version conflict between replicas); their events were dropped',
    registers,
  })

  const requestsReceived = new Counter({
    name: 'telemetry_requests_received_total',
    help: 'Request messages taken from Kafka, by topic and outcome: accepted (new, recorded in the log), redelivered (already known), rejected (dead-lettered)',
    labelNames: ['topic', 'outcome'] as const,
    registers,
  })
  const consumerRestarts = new Counter({
    name: 'telemetry_kafka_consumer_restarts_total',
    help: 'Kafka consumer restarts after a crash kafkajs does not restart from itself (non-retriable broker error)',
    registers,
  })

  new Counter({
    name: 'telemetry_grafana_retries_total',
    help: 'Grafana calls retried after 408/429/5xx answers, network errors or timeouts, by operation',
    labelNames: ['operation'] as const,
    registers,
    collect() {
      // the client keeps cumulative counts; mirror them (reset + inc keeps the counter monotonic)
      this.reset()
      for (const [operation, count] of sources.grafanaRetries()) this.inc({ operation }, count)
    },
  })

  // mirrored from the hedgers at scrape time, like the retries: extra-call ratio = hedges sent / reads
  new Counter({
    name: 'telemetry_hedgeable_reads_total',
    help: 'Kubernetes and Grafana GETs that could be hedged (first copies), by read kind',
    labelNames: ['kind'] as const,
    registers,
    collect() {
      this.reset()
      for (const [kind, counts] of hedgeCounts()) this.inc({ kind }, counts.calls)
    },
  })
  new Counter({
    name: 'telemetry_hedged_reads_total',
    help: 'Second copies of slow GETs (hedges) by read kind and outcome: sent, won (its answer was used), budget_spent and quiet (due but held back: the extra-call budget was spent, or the server answered with distress recently)',
    labelNames: ['kind', 'outcome'] as const,
    registers,
    collect() {
      this.reset()
      for (const [kind, counts] of hedgeCounts()) {
        this.inc({ kind, outcome: 'sent' }, counts.sent)
        this.inc({ kind, outcome: 'won' }, counts.won)
        this.inc({ kind, outcome: 'budget_spent' }, counts.budgetSpent)
        this.inc({ kind, outcome: 'quiet' }, counts.quiet)
      }
    },
  })

  new Gauge({
    name: 'telemetry_open_lanes',
    help: 'Services with an open processing lane right now',
    registers,
    collect() {
      this.set(sources.openLanes())
    },
  })

  const consumerLag = new Gauge({
    name: 'telemetry_consumer_lag',
    help: 'Messages between the consumer group committed offset and the partition end',
    labelNames: ['topic', 'partition'] as const,
    registers,
  })

  const secretBytes = new Gauge({ name: 'telemetry_secret_bytes', help: 'Bytes of the rendered scrape-config list at the last write', registers })
  const secretLimit = new Gauge({ name: 'telemetry_secret_limit_bytes', help: 'Kubernetes object size limit the secret must stay below', registers })
  secretLimit.set(SECRET_LIMIT_BYTES)

  const scrapeConfigAttempts = new Counter({
    name: 'telemetry_scrapeconfig_attempts_total',
    help: 'ScrapeConfig backend: edit attempts by operation (upsert, remove) and outcome (ok, retried after a transient answer, failed)',
    labelNames: ['op', 'outcome'] as const,
    registers,
  })

  const ownershipRecordLost = new Counter({
    name: 'telemetry_ownership_record_lost_total',
    help: "Job edits that found a job the event log says the service registered missing from the ownership record (secret key telemetry-client.owned.json, or a ScrapeConfig's label/annotation), by backend and verdict (matched-log: the job is what the log recorded and was treated as the service's own; refused: it differs, the request failed); repair with telemetry-client adopt",
    labelNames: ['backend', 'verdict'] as const,
    registers,
  })
  return {
    registry,
    readFrom,
    requests,
    stepDuration,
    requestDuration,
    secretWrites,
    editsPerWrite,
    secretConflicts,
    deadLetters,
    supersededSteps,
    requestsReceived,
    consumerRestarts,
    consumerLag,
    secretBytes,
    scrapeConfigAttempts,
    ownershipRecordLost,
  }
}

/** Records one group-commit batch of the secret writer (its `BatchReport`). */
export const recordSecretBatch = (metrics: Metrics, report: BatchReport): void => {
  if (report.conflicts > 0) metrics.secretConflicts.inc(report.conflicts)
  if (!report.written) return
  metrics.secretWrites.inc()
  metrics.editsPerWrite.observe(report.edits)
  metrics.secretBytes.set(report.bytes)
}

/** Records what the inbox made of one Kafka batch (its `IngestReport`). */
export const recordReceived = (metrics: Metrics, report: IngestReport): void => {
  for (const { outcome } of report.accepted) metrics.requestsReceived.inc({ topic: report.topic, outcome })
  if (report.rejected > 0) metrics.requestsReceived.inc({ topic: report.topic, outcome: 'rejected' }, report.rejected)
}
