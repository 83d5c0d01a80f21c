/**
 * Builds the result CloudEvent for a finished request. Pure: time and id come in as arguments,
 * and the message is recorded (RequestCompleted) before it is sent, so every copy is identical.
 */
import type { ResultRecord } from '../codecs/events.js'
import type { KogitoAttributes } from '../codecs/cloud-event.js'
import { boundedKogito, DEFAULT_REQUEST_LIMITS, type EchoLimits } from '../codecs/limits.js'
import type { TraceContext } from '../support/tracing/trace-context.js'
import type { DeleteDashboardResult, DashboardResult, OrderStatus, PlatformServiceResult } from '../codecs/results.js'
import { ResultTopics, type RequestKind } from '../codecs/topics.js'
import type { AppliedDashboard, PendingRequest, ServiceState } from './service-state.js'

export interface ResultContext {
  readonly sourceUri: string
  /** base of the dashboard links sent to SONATA (GRAFANA_PUBLIC_URL) */
  readonly grafanaPublicUrl: string
  /**
   * what a result echoes of the request's kogito* attributes (the door's limits; default
   * DEFAULT_REQUEST_LIMITS): also bounds a request accepted before a limit was tightened
   */
  readonly echo?: EchoLimits
}

const ORIGIN_AND_PATH = /^([a-z][a-z0-9+.-]*:\/\/[^/?#]*)(\/[^?#]*)?$/i

/**
 * The link SONATA gets for a dashboard `path` as Grafana returned it. Grafana served from a
 * sub-path (`root_url` …/grafana/, `serve_from_sub_path`) returns paths that already start with
 * `/grafana/d/…`; when GRAFANA_PUBLIC_URL carries that same sub-path it must not appear twice.
 * Without the sub-path in the public URL, or behind a proxy that adds it, base + path is right.
 */
export const publicUrl = (base: string, path: string): string => {
  const trimmedBase = base.replace(/\/+$/, '')
  const relative = `/${path.replace(/^\/+/, '')}`
  const parts = ORIGIN_AND_PATH.exec(trimmedBase)
  const basePath = parts?.[2] ?? ''
  if (parts?.[1] !== undefined && basePath !== '' && (relative === basePath || relative.startsWith(`${basePath}/`))) {
    return `${parts[1]}${relative}`
  }
  return `${trimmedBase}${relative}`
}

const urlOf = (ctx: ResultContext, dashboard: AppliedDashboard | undefined): string =>
  dashboard === undefined ? '' : publicUrl(ctx.grafanaPublicUrl, dashboard.url)

export const resultData = (
  state: ServiceState,
  pending: PendingRequest,
  status: OrderStatus,
  message: string,
  ctx: ResultContext,
): DashboardResult | PlatformServiceResult | DeleteDashboardResult => {
  const serviceId = state.serviceId
  switch (pending.request.kind) {
    case 'create':
      return {
        dashboardId: state.dashboards.metrics?.uid ?? '',
        serviceId,
        metricsDashboardUrl: urlOf(ctx, state.dashboards.metrics),
        logsDashboardUrl: urlOf(ctx, state.dashboards.logs),
        dashboardDataOrderStatus: status,
        dashboardDataOrderMessage: message,
      }
    case 'platform':
      return {
        dashboardId: state.dashboards.platform?.uid ?? '',
        serviceId,
        logsDashboardUrl: urlOf(ctx, state.dashboards.platform),
        dashboardDataOrderStatus: status,
        dashboardDataOrderMessage: message,
      }
    case 'delete':
      return {
        serviceId,
        dashboardDataOrderStatus: status,
        dashboardDataOrderMessage: message,
        deletedDashboardUids: [...pending.removed.dashboardUids],
      }
  }
}

/** The structured-mode CloudEvent around a result's data. */
export const resultEnvelope = (
  kind: RequestKind,
  data: object,
  ids: { readonly resultId: string; readonly kogito: KogitoAttributes; readonly at: string; readonly trace?: TraceContext },
  ctx: ResultContext,
): Record<string, unknown> => {
  const { kogitoprocinstanceid, ...otherKogito } = boundedKogito(ids.kogito, ctx.echo ?? DEFAULT_REQUEST_LIMITS)
  return {
    specversion: '1.0',
    id: ids.resultId,
    source: ctx.sourceUri,
    type: ResultTopics[kind],
    time: ids.at,
    datacontenttype: 'application/json',
    ...otherKogito,
    // SONATA correlates the answer with the waiting process instance through kogitoprocrefid
    ...(kogitoprocinstanceid === undefined ? {} : { kogitoprocrefid: kogitoprocinstanceid, kogitoprocinstanceid }),
    // CloudEvents distributed tracing: the extension carries the trace the request started (when it had one)
    ...(ids.trace === undefined
      ? {}
      : ids.trace.tracestate === undefined
        ? { traceparent: ids.trace.traceparent }
        : { traceparent: ids.trace.traceparent, tracestate: ids.trace.tracestate }),
    data,
  }
}

export const resultRecord = (kind: RequestKind, key: string, envelope: Record<string, unknown>): ResultRecord => ({
  topic: ResultTopics[kind],
  key,
  value: JSON.stringify(envelope),
})
