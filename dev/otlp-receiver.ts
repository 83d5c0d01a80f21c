/**
 * A small OTLP/HTTP trace receiver (POST /v1/traces) for the local stack and the tests: it keeps
 * the spans of http/json requests (ids hex, `kind` = SpanKind + 1 as OTLP encodes it) and counts
 * http/protobuf ones (no decoder here), answering as a collector does (200 with an empty
 * ExportTraceServiceResponse). `tree` prints one trace as an indented tree.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface ReceivedSpan {
  readonly traceId: string
  readonly spanId: string
  readonly parentSpanId?: string
  readonly name: string
  /** OTLP's numbering: 1 INTERNAL, 2 SERVER, 3 CLIENT, 4 PRODUCER, 5 CONSUMER */
  readonly kind: number
  readonly startMs: number
  readonly endMs: number
  readonly attributes: Readonly<Record<string, unknown>>
  readonly links: readonly { readonly traceId: string; readonly spanId: string }[]
  /** 0 unset, 1 ok, 2 error */
  readonly statusCode: number
  readonly statusMessage?: string
  readonly events: readonly string[]
  readonly serviceName?: string
}

export interface OtlpReceiver {
  /** the base URL, as OTEL_EXPORTER_OTLP_ENDPOINT takes it */
  readonly url: string
  readonly spans: ReceivedSpan[]
  /** http/protobuf export requests received (counted, not decoded) */
  protobufRequests: number
  waitFor(predicate: (spans: readonly ReceivedSpan[]) => boolean, timeoutMs?: number): Promise<void>
  tree(traceId: string): string
  stop(): Promise<void>
}

interface AnyValue {
  stringValue?: string
  intValue?: string | number
  boolValue?: boolean
  doubleValue?: number
  arrayValue?: { values?: AnyValue[] }
}
interface KeyValue {
  key: string
  value?: AnyValue
}
interface JsonSpan {
  traceId: string
  spanId: string
  parentSpanId?: string
  name: string
  kind?: number
  startTimeUnixNano?: string | number
  endTimeUnixNano?: string | number
  attributes?: KeyValue[]
  links?: { traceId: string; spanId: string }[]
  status?: { code?: number; message?: string }
  events?: { name: string }[]
}
interface ExportRequest {
  resourceSpans?: { resource?: { attributes?: KeyValue[] }; scopeSpans?: { spans?: JsonSpan[] }[] }[]
}

const valueOf = (v: AnyValue | undefined): unknown => {
  if (v === undefined) return undefined
  if (v.stringValue !== undefined) return v.stringValue
  if (v.intValue !== undefined) return Number(v.intValue)
  if (v.boolValue !== undefined) return v.boolValue
  if (v.doubleValue !== undefined) return v.doubleValue
  if (v.arrayValue !== undefined) return (v.arrayValue.values ?? []).map(valueOf)
  return undefined
}

const attributesOf = (kvs: KeyValue[] | undefined): Record<string, unknown> => Object.fromEntries((kvs ?? []).map((kv) => [kv.key, valueOf(kv.value)]))

const ms = (nanos: string | number | undefined): number => (nanos === undefined ? 0 : Number(BigInt(nanos) / 1_000_000n))

const body = (req: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })

const KINDS = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer']

/** One trace, children under their parents, in start order. */
export const spanTree = (spans: readonly ReceivedSpan[], traceId: string): string => {
  const mine = spans.filter((s) => s.traceId === traceId).sort((a, b) => a.startMs - b.startMs)
  const ids = new Set(mine.map((s) => s.spanId))
  const lines: string[] = []
  const walk = (span: ReceivedSpan, depth: number) => {
    const status = span.statusCode === 2 ? ` ERROR${span.statusMessage === undefined ? '' : `: ${span.statusMessage.slice(0, 80)}`}` : ''
    lines.push(`${'  '.repeat(depth)}${span.name} [${KINDS[span.kind] ?? span.kind}] ${span.endMs - span.startMs} ms${status}`)
    for (const child of mine.filter((s) => s.parentSpanId === span.spanId)) walk(child, depth + 1)
  }
  const roots = mine.filter((s) => s.parentSpanId === undefined || !ids.has(s.parentSpanId))
  for (const root of roots) {
    if (root.parentSpanId !== undefined) lines.push(`(parent ${root.parentSpanId} not received)`)
    walk(root, root.parentSpanId === undefined ? 0 : 1)
  }
  return lines.join('\n')
}

export const startOtlpReceiver = async (port = 0): Promise<OtlpReceiver> => {
  const spans: ReceivedSpan[] = []
  const receiver = { protobufRequests: 0 }
  const server: Server = createServer((req, res) => {
    void body(req).then((bytes) => {
      if (req.method !== 'POST' || req.url !== '/v1/traces') {
        res.writeHead(404).end()
        return
      }
      const type = req.headers['content-type'] ?? ''
      if (type.startsWith('application/x-protobuf')) {
        receiver.protobufRequests += 1
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end()
        return
      }
      let parsed: ExportRequest
      try {
        parsed = JSON.parse(bytes.toString('utf8')) as ExportRequest
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"code":3,"message":"malformed JSON"}')
        return
      }
      for (const rs of parsed.resourceSpans ?? []) {
        const resource = attributesOf(rs.resource?.attributes)
        const serviceName = typeof resource['service.name'] === 'string' ? resource['service.name'] : undefined
        for (const ss of rs.scopeSpans ?? []) {
          for (const s of ss.spans ?? []) {
            spans.push({
              traceId: s.traceId,
              spanId: s.spanId,
              ...(s.parentSpanId === undefined || s.parentSpanId === '' ? {} : { parentSpanId: s.parentSpanId }),
              name: s.name,
              kind: s.kind ?? 0,
              startMs: ms(s.startTimeUnixNano),
              endMs: ms(s.endTimeUnixNano),
              attributes: attributesOf(s.attributes),
              links: (s.links ?? []).map((l) => ({ traceId: l.traceId, spanId: l.spanId })),
              statusCode: s.status?.code ?? 0,
              ...(s.status?.message === undefined ? {} : { statusMessage: s.status.message }),
              events: (s.events ?? []).map((e) => e.name),
              ...(serviceName === undefined ? {} : { serviceName }),
            })
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
    })
  })
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  const { port: bound } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${bound}`,
    spans,
    get protobufRequests() {
      return receiver.protobufRequests
    },
    set protobufRequests(n: number) {
      receiver.protobufRequests = n
    },
    waitFor: async (predicate, timeoutMs = 30_000) => {
      const deadline = Date.now() + timeoutMs
      while (!predicate(spans)) {
        if (Date.now() > deadline)
          throw new Error(
            `OTLP receiver: condition not met after ${timeoutMs} ms; ${spans.length} span(s):\n${spans.map((s) => `${s.traceId} ${s.name}`).join('\n')}`,
          )
        await new Promise((r) => setTimeout(r, 50))
      }
    },
    tree: (traceId) => spanTree(spans, traceId),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
