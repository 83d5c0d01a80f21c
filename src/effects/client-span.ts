/**
 * A CLIENT span at a door (Grafana, Kubernetes): its parent is the scope the calling effect
 * opened with its item's context (support/tracing/tracing.ts); its context goes out as the
 * request's `traceparent`, so the server's spans join the request's trace. Off: undefined, and
 * the door does nothing more.
 */
import type { Attributes } from '@opentelemetry/api'
import { traceHeaders } from '../support/tracing/trace-context.js'
import { SpanKind, SpanStatusCode, failSpan, traceContextOfSpan, type Tracing } from '../support/tracing/tracing.js'

export interface ClientSpan {
  /** W3C headers for the outgoing request */
  readonly headers: Readonly<Record<string, string>>
  /** the server answered (an HTTP status of 400 or more is an error of the call) */
  answered(status: number): void
  /** no answer: network error, timeout */
  failed(error: unknown): void
  /** a client library answered with success (its status code not at hand) */
  succeeded(): void
}

export const startClientSpan = (tracing: Tracing | undefined, name: string, attributes: Attributes): ClientSpan | undefined => {
  if (tracing?.enabled !== true) return undefined
  const span = tracing.startSpan(name, tracing.current(), { kind: SpanKind.CLIENT, attributes })
  const ctx = tracing.propagate ? traceContextOfSpan(span) : undefined
  let open = true
  return {
    headers: traceHeaders(ctx) ?? {},
    answered: (status) => {
      if (!open) return
      open = false
      span.setAttribute('http.response.status_code', status)
      if (status >= 400) span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${status}` })
      span.end()
    },
    failed: (error) => {
      if (!open) return
      open = false
      failSpan(span, error)
      span.end()
    },
    succeeded: () => {
      if (!open) return
      open = false
      span.end()
    },
  }
}

/** A Kubernetes call as a CLIENT span: the verb and resource name it, the classified error ends it. */
export const kubeClientSpan = (tracing: Tracing | undefined, verb: string, resource: string, namespace: string, name: string): ClientSpan | undefined =>
  startClientSpan(tracing, `${verb} ${resource}`, {
    'k8s.namespace.name': namespace,
    'telemetry.k8s.resource': resource,
    'telemetry.k8s.name': name,
    'telemetry.k8s.verb': verb,
  })

/** End a door span with what the classified error says (an HTTP status when there was an answer). */
export const endWithKubeError = (span: ClientSpan | undefined, error: { readonly status?: number; readonly message: string }): void => {
  if (span === undefined) return
  if (error.status === undefined) span.failed(error.message)
  else span.answered(error.status)
}
