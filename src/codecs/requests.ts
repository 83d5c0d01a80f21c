/**
 * The `data` of the three request topics. Unknown fields are accepted (SONATA may add some) and
 * dropped on decode (`t.exact`), so nothing we did not validate travels further into the service,
 * the event store or a query.
 */
import * as t from 'io-ts'
import { Namespaces, Port, PrometheusHost, ServiceId } from './primitives.js'

/** telemetry-create-prometheus-job-and-grafana-dashboard (spec sample). */
export const CreateDashboardRequest = t.exact(
  t.type({
    serviceId: ServiceId,
    namespaces: Namespaces,
    /** the managed cluster's Prometheus that the central one federates from */
    prometheus: t.exact(t.type({ host: PrometheusHost, port: Port }, 'PrometheusEndpoint')),
  }),
  'CreateDashboardRequest',
)
export type CreateDashboardRequest = t.TypeOf<typeof CreateDashboardRequest>

export interface ServiceNameBrand {
  readonly ServiceName: unique symbol
}
export type ServiceName = t.Branded<string, ServiceNameBrand>
// eslint-disable-next-line no-control-regex
const SERVICE_NAME = /^[^\u0000-\u001f\u007f-\u009f]{1,253}$/u
/** A human-readable title part: 1-253 characters, no control characters (it becomes a dashboard title). */
export const ServiceName = t.brand(t.string, (s): s is ServiceName => SERVICE_NAME.test(s) && s.trim().length > 0, 'ServiceName')

/**
 * telemetry-platform-service. The spec gives no sample; this is the payload we define (see
 * docs/kafka-contract.md): which platform service, which namespaces its logs come from, and an
 * optional display name for the dashboard title (serviceId is used when absent).
 */
export const PlatformServiceRequest = t.exact(
  t.intersection([t.type({ serviceId: ServiceId, namespaces: Namespaces }), t.partial({ serviceName: ServiceName })]),
  'PlatformServiceRequest',
)
export type PlatformServiceRequest = t.TypeOf<typeof PlatformServiceRequest>

/** telemetry-delete-prometheus-job-and-grafana-dashboard (spec sample). */
export const DeleteDashboardRequest = t.exact(t.type({ serviceId: ServiceId }), 'DeleteDashboardRequest')
export type DeleteDashboardRequest = t.TypeOf<typeof DeleteDashboardRequest>
