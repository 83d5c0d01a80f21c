/**
 * The OpenTelemetry SDK as the OTEL_* variables describe it (config/tracing-env.ts reads them):
 * a tracer provider with the chosen sampler, a batch span processor and an OTLP/HTTP exporter
 * (http/protobuf or http/json). No global provider or context manager is registered: the service
 * passes its `Tracing` explicitly, so two services in one test process do not share one.
 */
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto'
import { resourceFromAttributes } from '@opentelemetry/resources'
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type Sampler,
  type SpanExporter,
} from '@opentelemetry/sdk-trace'
import { createTracing, tracingOff, type Tracing } from './tracing.js'

export type SamplerName = 'always_on' | 'always_off' | 'traceidratio' | 'parentbased_always_on' | 'parentbased_always_off' | 'parentbased_traceidratio'
export type OtlpProtocol = 'http/protobuf' | 'http/json'

export interface TracingSettings {
  /** OTEL_SDK_DISABLED=true, or no exporter endpoint: no spans */
  readonly enabled: boolean
  /** OTEL_SDK_DISABLED=true */
  readonly disabled: boolean
  readonly serviceName: string
  readonly resourceAttributes: Readonly<Record<string, string>>
  /** the traces URL (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, or OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces) */
  readonly endpoint?: string
  readonly protocol: OtlpProtocol
  /** OTEL_EXPORTER_OTLP_(TRACES_)HEADERS */
  readonly headers: Readonly<Record<string, string>>
  readonly timeoutMs?: number
  readonly sampler: SamplerName
  readonly samplerArg: number
  /** OTEL_PROPAGATORS includes tracecontext */
  readonly propagate: boolean
  readonly batch: {
    readonly scheduledDelayMillis: number
    readonly exportTimeoutMillis: number
    readonly maxQueueSize: number
    readonly maxExportBatchSize: number
  }
}

export const samplerOf = (name: SamplerName, arg: number): Sampler => {
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler()
    case 'always_off':
      return new AlwaysOffSampler()
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(arg)
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() })
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() })
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(arg) })
  }
}

export const exporterOf = (settings: TracingSettings & { readonly endpoint: string }): SpanExporter => {
  const config = {
    url: settings.endpoint,
    headers: { ...settings.headers },
    ...(settings.timeoutMs === undefined ? {} : { timeoutMillis: settings.timeoutMs }),
  }
  return settings.protocol === 'http/json' ? new JsonExporter(config) : new ProtoExporter(config)
}

const TRACER_NAME = 'telemetry-client'

/** The tracing the settings ask for; `exporter` replaces the OTLP one (tests: an in-memory exporter, exported at once). */
export const startTracing = (settings: TracingSettings, exporter?: SpanExporter): Tracing => {
  if (exporter === undefined ? !settings.enabled : settings.disabled) return tracingOff(settings.propagate)
  const processor =
    exporter !== undefined
      ? new SimpleSpanProcessor({ exporter })
      : new BatchSpanProcessor({ exporter: exporterOf({ ...settings, endpoint: settings.endpoint ?? '' }), ...settings.batch })
  const provider = new TracerProvider({
    sampler: samplerOf(settings.sampler, settings.samplerArg),
    resource: resourceFromAttributes({ ...settings.resourceAttributes, 'service.name': settings.serviceName }),
    spanProcessors: [processor],
  })
  return createTracing({
    tracer: provider.getTracer(TRACER_NAME),
    propagate: settings.propagate,
    forceFlush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  })
}
