/**
 * Shared by the reliability specs: requests with fresh ids, waiting until every request of a
 * scenario has an outcome, and "finish a scenario" = check invariants, record the figures row,
 * then assert (so a broken scenario still appears in docs/reliability.md).
 */
import { Partitioners } from 'kafkajs'
import { testKafka, type ResultCollector } from '../../support/kafka-helpers.js'
import {
  assertInvariants,
  checkInvariants,
  resultsByRef,
  statusOf,
  type InvariantInput,
  type InvariantReport,
  type SentRequest,
} from '../../support/invariants.js'
import type { HarnessContext } from '../../support/harness-hooks.js'
import { createRequest, deleteRequest } from '../../support/request-builders.js'
import { awaitAnswered, sleep } from '../../support/wait.js'
import { recordFigures, rowFromReport } from './figures.js'

export type { SentRequest } from '../../support/invariants.js'

/**
 * Publishes with one producer, keyed by serviceId, in batches of `batchSize` per topic, in the
 * given order (a later request of a service is never sent before an earlier one). `partitionOf`
 * pins a request to a partition (two-replica tests).
 */
export const publishAll = async (
  requests: readonly SentRequest[],
  opts: { batchSize?: number; partitionOf?: (r: SentRequest, index: number) => number; gapMs?: number } = {},
): Promise<void> => {
  const producer = testKafka().producer({ createPartitioner: Partitioners.DefaultPartitioner })
  await producer.connect()
  try {
    const size = opts.batchSize ?? 500
    let i = 0
    while (i < requests.length) {
      const topic = requests[i]?.type ?? ''
      const run: Array<{ key: string; value: string; partition?: number }> = []
      while (i < requests.length && requests[i]?.type === topic && run.length < size) {
        const r = requests[i] as SentRequest
        const partition = opts.partitionOf?.(r, i)
        run.push({ key: String(r.data['serviceId']), value: JSON.stringify(r), ...(partition === undefined ? {} : { partition }) })
        i += 1
      }
      await producer.send({ topic, messages: run })
      if (opts.gapMs !== undefined) await sleep(opts.gapMs)
    }
  } finally {
    await producer.disconnect()
  }
}

/** Resolves once every request has at least one result; rejects naming missing ones after `timeoutMs`. */
export const awaitOutcomes = (results: ResultCollector, requests: readonly SentRequest[], timeoutMs = 60_000): Promise<void> =>
  awaitAnswered(results, requests, { timeoutMs })

/** Publishes the requests and waits for every outcome while `competitor` runs every 10 ms (another writer of the same resources). */
export const publishBesideCompetitor = async (results: ResultCollector, requests: readonly SentRequest[], competitor: () => void): Promise<void> => {
  const timer = setInterval(competitor, 10)
  try {
    await publishAll(requests, { gapMs: 5 })
    await awaitOutcomes(results, requests, 120_000)
  } finally {
    clearInterval(timer)
  }
}

/** The end state the invariants check, as the harness holds it: every result so far, the secret's value, Grafana's dashboards. */
export const endStateOf = (ctx: HarnessContext, requests: readonly SentRequest[]): InvariantInput => ({
  requests,
  results: ctx.results.messages,
  scrapeConfigs: ctx.harness.stack.scrapeConfigs(),
  dashboards: ctx.harness.stack.grafana.dashboards(),
})

/** Check, record the row, then assert: the figures table shows failing scenarios too. */
export const finishScenario = async (
  scenario: string,
  input: InvariantInput,
  rest: { startedAt: number; faults: Record<string, number>; notes?: string; inputs?: number; allowUncertain?: boolean },
): Promise<InvariantReport> => {
  const report = await checkInvariants(input)
  recordFigures(
    rowFromReport(scenario, report, {
      faults: rest.faults,
      seconds: (Date.now() - rest.startedAt) / 1000,
      ...(rest.notes === undefined ? {} : { notes: rest.notes }),
      ...(rest.inputs === undefined ? {} : { inputs: rest.inputs }),
    }),
  )
  assertInvariants(report, rest.allowUncertain === undefined ? {} : { allowUncertain: rest.allowUncertain })
  return report
}

/** A scenario's request mix: `services` ids, each created; every `deleteEvery`-th deleted again, every `recreateEvery`-th re-created after that. */
export const mixedRequests = (prefix: string, services: number, opts: { deleteEvery?: number; recreateEvery?: number } = {}): SentRequest[] => {
  const ids = Array.from({ length: services }, (_, i) => `${prefix}-${i}`)
  const creates = ids.map((id, i) => createRequest(id, [`ns-${i}`, 'NAMESPACE_1'], 30000 + (i % 1000)))
  const deletes = ids.filter((_, i) => opts.deleteEvery !== undefined && i % opts.deleteEvery === 0).map((id) => deleteRequest(id))
  const recreates = ids.filter((_, i) => opts.recreateEvery !== undefined && i % opts.recreateEvery === 0).map((id) => createRequest(id, ['ns-final'], 9090))
  return [...creates, ...deletes, ...recreates]
}

/**
 * Per service, a chain of requests where each one is sent only after the previous one has its
 * result, as SONATA's BPMN process does (it waits for the create's answer before it may delete).
 * Needed whenever consumption can stall on one topic while another moves on (a crash, Redis
 * down): a delete published before its create was even consumed can legitimately overtake it,
 * because requests on different topics are ordered only once both are in the service's inbox.
 */
export const mixedChains = (prefix: string, services: number, opts: { deleteEvery?: number; recreateEvery?: number } = {}): SentRequest[][] =>
  Array.from({ length: services }, (_, i) => {
    const id = `${prefix}-${i}`
    const chain: SentRequest[] = [createRequest(id, [`ns-${i}`, 'NAMESPACE_1'], 30000 + (i % 1000))]
    if (opts.deleteEvery !== undefined && i % opts.deleteEvery === 0) chain.push(deleteRequest(id))
    if (opts.recreateEvery !== undefined && i % opts.recreateEvery === 0) chain.push(createRequest(id, ['ns-final'], 9090))
    return chain
  })

/** Drives the chains until every request was sent (not answered); returns them in per-service order. */
export const runChains = async (
  results: ResultCollector,
  chains: readonly SentRequest[][],
  opts: { batchSize?: number; gapMs?: number; timeoutMs?: number } = {},
): Promise<SentRequest[]> => {
  const next = chains.map(() => 0)
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000)
  await publishAll(
    chains.flatMap((c) => c.slice(0, 1)),
    { batchSize: opts.batchSize ?? 50, gapMs: opts.gapMs ?? 20 },
  )
  chains.forEach((c, i) => (next[i] = Math.min(1, c.length)))
  while (chains.some((c, i) => (next[i] ?? 0) < c.length)) {
    if (Date.now() > deadline) throw new Error('runChains: follow-up requests still unsent (their predecessors have no result)')
    const byRef = resultsByRef(results.messages)
    const due: SentRequest[] = []
    chains.forEach((c, i) => {
      const k = next[i] ?? 0
      const previous = c[k - 1]
      const current = c[k]
      if (current !== undefined && previous !== undefined && byRef.has(previous.kogitoprocinstanceid)) {
        due.push(current)
        next[i] = k + 1
      }
    })
    if (due.length > 0) await publishAll(due, { batchSize: opts.batchSize ?? 50 })
    await sleep(50)
  }
  return chains.flat()
}

/** The last request of every service whose request got a FAILURE, re-sent with fresh ids (as SONATA would), awaited. */
export const resendFailed = async (results: ResultCollector, requests: readonly SentRequest[]): Promise<SentRequest[]> => {
  const byRef = resultsByRef(results.messages)
  const last = new Map<string, SentRequest>()
  for (const r of requests) last.set(String(r.data['serviceId']), r)
  const failed = new Set(
    requests
      .filter((r) => {
        const first = byRef.get(r.kogitoprocinstanceid)?.[0]
        return first !== undefined && statusOf(first) === 'FAILURE'
      })
      .map((r) => String(r.data['serviceId'])),
  )
  const again = [...failed].map((id) => {
    const l = last.get(id) as SentRequest
    const prometheus = l.data['prometheus'] as { port: number } | undefined
    return prometheus === undefined ? deleteRequest(id) : createRequest(id, l.data['namespaces'] as string[], prometheus.port)
  })
  await publishAll(again, { gapMs: 5 })
  await awaitOutcomes(results, again, 60_000)
  return again
}
