/**
 * The standard OTEL_* variables → TracingSettings. As the OpenTelemetry specification asks, a
 * value that cannot be used is ignored with a warning (the default applies), never fatal:
 * tracing must not keep the service from starting.
 */
import type { OtlpProtocol, SamplerName, TracingSettings } from '../support/tracing/otel-sdk.js'

type Env = Readonly<Record<string, string | undefined>>

export interface TracingEnv {
  readonly settings: TracingSettings
  readonly warnings: readonly string[]
}

const SAMPLERS: readonly SamplerName[] = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
]
const PROTOCOLS: readonly OtlpProtocol[] = ['http/protobuf', 'http/json']

const BATCH_DEFAULTS = { scheduledDelayMillis: 5000, exportTimeoutMillis: 30_000, maxQueueSize: 2048, maxExportBatchSize: 512 }

const set = (env: Env, name: string): string | undefined => {
  const value = env[name]?.trim()
  return value === undefined || value === '' ? undefined : value
}

/** `k=v,k2=v2` (W3C baggage-like, values percent-encoded): OTEL_RESOURCE_ATTRIBUTES and OTEL_EXPORTER_OTLP_HEADERS. */
const keyValues = (raw: string | undefined, name: string, warnings: string[]): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const pair of raw?.split(',') ?? []) {
    const at = pair.indexOf('=')
    const key = pair.slice(0, at).trim()
    if (at <= 0 || key === '') {
      warnings.push(`${name}: ignored "${pair.trim().slice(0, 40)}" (expected key=value)`)
      continue
    }
    try {
      out[key] = decodeURIComponent(pair.slice(at + 1).trim())
    } catch {
      warnings.push(`${name}: ignored the value of ${key} (bad percent-encoding)`)
    }
  }
  return out
}

const withTracesPath = (base: string): string => `${base.replace(/\/+$/, '')}/v1/traces`

const validUrl = (url: string): boolean => {
  try {
    const parsed = new URL(url)
    return parsed.protocol === 'http:' || parsed.protocol === 'https:'
  } catch {
    return false
  }
}

const positiveInt = (env: Env, name: string, fallback: number, warnings: string[]): number => {
  const raw = set(env, name)
  if (raw === undefined) return fallback
  const n = Number(raw)
  if (Number.isInteger(n) && n > 0) return n
  warnings.push(`${name}: "${raw.slice(0, 40)}" is not a positive integer; using ${fallback}`)
  return fallback
}

export const tracingFromEnv = (env: Env): TracingEnv => {
  const warnings: string[] = []
  const disabled = set(env, 'OTEL_SDK_DISABLED')?.toLowerCase() === 'true'

  const propagators = (set(env, 'OTEL_PROPAGATORS') ?? 'tracecontext,baggage').split(',').map((p) => p.trim().toLowerCase())
  for (const p of propagators)
    if (!['tracecontext', 'baggage', 'none'].includes(p)) warnings.push(`OTEL_PROPAGATORS: "${p.slice(0, 40)}" is not supported (tracecontext, baggage, none)`)
  const propagate = propagators.includes('tracecontext') && !propagators.includes('none')

  const rawProtocol = set(env, 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ?? set(env, 'OTEL_EXPORTER_OTLP_PROTOCOL')
  let protocol: OtlpProtocol = 'http/protobuf'
  if (rawProtocol !== undefined) {
    if ((PROTOCOLS as readonly string[]).includes(rawProtocol)) protocol = rawProtocol as OtlpProtocol
    else warnings.push(`OTEL_EXPORTER_OTLP_PROTOCOL: "${rawProtocol.slice(0, 40)}" is not supported (http/protobuf, http/json); using http/protobuf`)
  }

  const tracesEndpoint = set(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT')
  const baseEndpoint = set(env, 'OTEL_EXPORTER_OTLP_ENDPOINT')
  let endpoint = tracesEndpoint ?? (baseEndpoint === undefined ? undefined : withTracesPath(baseEndpoint))
  if (endpoint !== undefined && !validUrl(endpoint)) {
    warnings.push(`OTEL_EXPORTER_OTLP_${tracesEndpoint === undefined ? '' : 'TRACES_'}ENDPOINT: not an http(s) URL; no spans are exported`)
    endpoint = undefined
  }

  const rawSampler = set(env, 'OTEL_TRACES_SAMPLER')?.toLowerCase()
  let sampler: SamplerName = 'parentbased_always_on'
  if (rawSampler !== undefined) {
    if ((SAMPLERS as readonly string[]).includes(rawSampler)) sampler = rawSampler as SamplerName
    else warnings.push(`OTEL_TRACES_SAMPLER: "${rawSampler.slice(0, 40)}" is not supported (${SAMPLERS.join(', ')}); using parentbased_always_on`)
  }
  const rawArg = set(env, 'OTEL_TRACES_SAMPLER_ARG')
  let samplerArg = 1
  if (rawArg !== undefined) {
    const n = Number(rawArg)
    if (Number.isFinite(n) && n >= 0 && n <= 1) samplerArg = n
    else warnings.push(`OTEL_TRACES_SAMPLER_ARG: "${rawArg.slice(0, 40)}" is not a ratio in [0, 1]; using 1`)
  }

  const maxQueueSize = positiveInt(env, 'OTEL_BSP_MAX_QUEUE_SIZE', BATCH_DEFAULTS.maxQueueSize, warnings)
  let maxExportBatchSize = positiveInt(env, 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE', BATCH_DEFAULTS.maxExportBatchSize, warnings)
  if (maxExportBatchSize > maxQueueSize) {
    warnings.push(`OTEL_BSP_MAX_EXPORT_BATCH_SIZE (${maxExportBatchSize}) exceeds OTEL_BSP_MAX_QUEUE_SIZE (${maxQueueSize}); using ${maxQueueSize}`)
    maxExportBatchSize = maxQueueSize
  }
  const timeout = set(env, 'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT') === undefined ? 'OTEL_EXPORTER_OTLP_TIMEOUT' : 'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT'
  const timeoutMs = set(env, timeout) === undefined ? undefined : positiveInt(env, timeout, 10_000, warnings)

  const resourceAttributes = keyValues(set(env, 'OTEL_RESOURCE_ATTRIBUTES'), 'OTEL_RESOURCE_ATTRIBUTES', warnings)
  const headers = {
    ...keyValues(set(env, 'OTEL_EXPORTER_OTLP_HEADERS'), 'OTEL_EXPORTER_OTLP_HEADERS', warnings),
    ...keyValues(set(env, 'OTEL_EXPORTER_OTLP_TRACES_HEADERS'), 'OTEL_EXPORTER_OTLP_TRACES_HEADERS', warnings),
  }
  return {
    settings: {
      enabled: !disabled && endpoint !== undefined,
      disabled,
      serviceName: set(env, 'OTEL_SERVICE_NAME') ?? resourceAttributes['service.name'] ?? 'telemetry-client',
      resourceAttributes,
      ...(endpoint === undefined ? {} : { endpoint }),
      protocol,
      headers,
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
      sampler,
      samplerArg,
      propagate,
      batch: {
        scheduledDelayMillis: positiveInt(env, 'OTEL_BSP_SCHEDULE_DELAY', BATCH_DEFAULTS.scheduledDelayMillis, warnings),
        exportTimeoutMillis: positiveInt(env, 'OTEL_BSP_EXPORT_TIMEOUT', BATCH_DEFAULTS.exportTimeoutMillis, warnings),
        maxQueueSize,
        maxExportBatchSize,
      },
    },
    warnings,
  }
}
