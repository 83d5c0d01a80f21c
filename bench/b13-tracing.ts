/**
 * B13: what tracing costs per request, CPU only. The per-request tracing path as the service runs
 * it: decode the record, the consumer's spans (`process`, `accept`), the step spans of a create
 * (register job, two dashboards, complete) and the publish span, around steps that do nothing else.
 * Three ways in the same run, interleaved: untraced (no tracing code at all: the baseline), tracing
 * off (what an unconfigured service runs: the incoming context read, steps unwrapped) and tracing on,
 * exported with the production batch processor over OTLP/HTTP (http/json) to a local receiver that
 * discards what it gets (the flush is timed too). The off row's target: nothing measurable, i.e. at
 * most 1% of a create's CPU budget (B11) added to the untraced path; the ratios are printed beside.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { firstValueFrom, of } from 'rxjs'
import { isLeft } from 'fp-ts/lib/Either.js'
import type { ServiceEvent } from '../src/codecs/events.js'
import { decodeRequestMessage, type RequestMessage } from '../src/codecs/request-message.js'
import { RequestTopics, ResultTopics } from '../src/codecs/topics.js'
import { tracingFromEnv } from '../src/config/tracing-env.js'
import { SECRET_STEP_NAMES, tracedSteps, type TracedRunStep } from '../src/effects/steps/traced-step.js'
import { type PendingRequest, newPending } from '../src/state/service-state.js'
import { initialServiceState } from '../src/state/service-state.js'
import type { Step } from '../src/state/step.js'
import { consumeSpans, type ConsumeSpanOptions } from '../src/streams/consume-spans.js'
import { startTracing } from '../src/support/tracing/otel-sdk.js'
import type { TraceContext } from '../src/support/tracing/trace-context.js'
import { tracingOff, type Tracing } from '../src/support/tracing/tracing.js'
import { forceGc } from './b6-memory.js'
import { informative, type Figure } from './figure.js'
import { createRequest } from './requests.js'
import type { Sizes } from './sizes.js'
import { fmt, median } from './stats.js'

/** what the off path may add per request: 1% of B11's CPU budget per create (4 ms), i.e. nothing a service-level measurement could see */
const B11_BUDGET_US = 4000
const OFF_TARGET_US = B11_BUDGET_US / 100
const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'

/** An OTLP/HTTP endpoint that reads each export and answers 200: the network and encoding are real, nothing is kept. */
const discardingReceiver = async (): Promise<{ readonly url: string; readonly stop: () => Promise<void> }> => {
  const server: Server = createServer((req, res) => {
    req.resume()
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}`, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}

const pendingOf = (message: RequestMessage, trace: TraceContext | undefined): PendingRequest =>
  newPending(
    message.envelope.id,
    { kind: 'delete', payload: { serviceId: message.payload.serviceId } },
    new Date().toISOString(),
    trace === undefined ? {} : { trace },
  )

/** A create's steps, as decide hands them over: the payload is not looked at by a step that does nothing. */
const createSteps = (message: RequestMessage, pending: PendingRequest): readonly Step[] => {
  const payload = message.payload as Extract<Step, { type: 'registerJob' }>['payload']
  return [
    { type: 'registerJob', pending, payload, fingerprint: 'f' },
    { type: 'upsertDashboard', pending, role: 'metrics', payload, fingerprint: 'f' },
    { type: 'upsertDashboard', pending, role: 'logs', payload, fingerprint: 'f' },
    { type: 'complete', pending, status: 'SUCCESS', message: 'done' },
    {
      type: 'publishResult',
      requestId: pending.requestId,
      resultId: `r-${pending.requestId}`,
      result: { topic: ResultTopics.create, key: message.payload.serviceId, value: '{}', ...(pending.trace === undefined ? {} : { trace: pending.trace }) },
    },
  ]
}

const NOTHING = of<readonly ServiceEvent[]>([])

interface Way {
  readonly name: string
  /** undefined: the untraced baseline (no consumer spans, steps run bare) */
  readonly tracing?: Tracing
}

/** Runs `count` requests one way; the steps' observables complete synchronously, so this is pure CPU. */
const runRequests = async (way: Way, values: readonly Buffer[]): Promise<number> => {
  const options: ConsumeSpanOptions | undefined =
    way.tracing === undefined ? undefined : { tracing: way.tracing, consumerGroup: 'bench', maxAttributeBytes: 2048 }
  const run: TracedRunStep = way.tracing === undefined ? () => NOTHING : tracedSteps(way.tracing, () => NOTHING, SECRET_STEP_NAMES, 0)
  const state = initialServiceState('bench')
  const headers = { traceparent: TRACEPARENT }
  const start = process.hrtime.bigint()
  for (const [i, value] of values.entries()) {
    const delivery = { topic: RequestTopics.create, partition: 0, offset: String(i), key: null, value, headers }
    const decoded = decodeRequestMessage(delivery.topic, value)
    if (isLeft(decoded)) throw new Error(decoded.left.reason)
    const spans = consumeSpans(options, 1)
    const consumed = spans.accepted(delivery, decoded.right)
    spans.end([{ serviceId: decoded.right.payload.serviceId, outcome: 'accepted', version: 1 }])
    for (const step of createSteps(decoded.right, pendingOf(decoded.right, consumed.trace))) await firstValueFrom(run(step, state))
  }
  await way.tracing?.forceFlush()
  return Number(process.hrtime.bigint() - start) / 1e3 / values.length
}

export const runB13 = async (sizes: Sizes, log: (line: string) => void): Promise<Figure[]> => {
  const receiver = await discardingReceiver()
  const env = {
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_SERVICE_NAME: 'telemetry-client-bench',
    OTEL_BSP_MAX_QUEUE_SIZE: '65536',
    OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '4096',
    OTEL_BSP_SCHEDULE_DELAY: '200',
  }
  const on = startTracing(tracingFromEnv(env).settings)
  const ways: readonly Way[] = [{ name: 'untraced' }, { name: 'off', tracing: tracingOff() }, { name: 'on', tracing: on }]
  const values = Array.from({ length: sizes.b13Requests }, (_, i) => Buffer.from(JSON.stringify(createRequest(`b13-${i}`))))
  const samples = new Map<string, number[]>(ways.map((w) => [w.name, []]))
  try {
    for (const way of ways) await runRequests(way, values) // warm-up: every path compiled before any is timed
    const gc = forceGc()
    for (let run = 0; run < Math.max(7, sizes.runs * 7); run += 1) {
      // rotated, so no way always runs first or after another's garbage; a GC before each run
      for (const k of [0, 1, 2]) {
        const way = ways[(run + k) % ways.length]
        gc()
        if (way !== undefined) samples.get(way.name)?.push(await runRequests(way, values))
      }
    }
  } finally {
    await on.shutdown()
    await receiver.stop()
  }
  const [untraced, off, traced] = ['untraced', 'off', 'on'].map((name) => samples.get(name) ?? [])
  const base = median(untraced ?? [])
  const offUs = median(off ?? [])
  const onUs = median(traced ?? [])
  // paired by run (the same neighbours' load on both): medians of the per-run differences and ratios
  const offAdded = (off ?? []).map((v, i) => v - (untraced?.[i] ?? base))
  const offAddedUs = median(offAdded)
  const offRatio = median((off ?? []).map((v, i) => v / (untraced?.[i] ?? base)))
  const onRatio = onUs / offUs
  log(
    `  B13: ${values.length} requests x ${untraced?.length ?? 0} runs: untraced ${fmt(base, 2)} µs, off ${fmt(offUs, 2)} µs (${offAddedUs >= 0 ? '+' : ''}${fmt(offAddedUs, 2)} µs, x${fmt(offRatio, 3)}), on ${fmt(onUs, 2)} µs (x${fmt(onRatio, 2)} of off)`,
  )
  const how = `${values.length} creates per run, median of ${untraced?.length ?? 0} rotated runs (off vs untraced: medians of the per-run differences and ratios), a GC before each; decode + consumer spans + 4 step spans + publish span, steps doing nothing else`
  return [
    {
      id: 'B13',
      name: 'tracing off: CPU added per request to the untraced path',
      value: offAddedUs,
      unit: 'µs',
      target: `<= ${OFF_TARGET_US} µs (1% of B11's ${B11_BUDGET_US / 1000} ms per create)`,
      pass: offAddedUs <= OFF_TARGET_US,
      runs: offAdded,
      notes: [`untraced ${fmt(base, 2)} µs/request, off ${fmt(offUs, 2)} µs/request: x${fmt(offRatio, 3)} of the untraced path`, how],
    },
    informative('B13', 'tracing off: per-request tracing path', offUs, 'µs', off ?? [], [how]),
    informative('B13', 'tracing on (batch processor, OTLP http/json to a local receiver): per-request tracing path', onUs, 'µs', traced ?? [], [
      `x${fmt(onRatio, 2)} of tracing off, +${fmt(onUs - offUs, 2)} µs/request (8 spans, exported and flushed): ${fmt((100 * (onUs - offUs)) / B11_BUDGET_US, 1)}% of B11's ${B11_BUDGET_US / 1000} ms per create`,
      how,
    ]),
  ]
}
