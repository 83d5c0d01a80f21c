/**
 * The `data` of the three result topics. `t.exact` so encoding strips anything that is not part of
 * the contract: SONATA's process variables are mapped from exactly these fields.
 * `serviceId` is a plain string because a FAILURE result may echo an invalid one back; on FAILURE
 * ids and URLs that are not known are "".
 */
import * as t from 'io-ts'

export const OrderStatus = t.keyof({ SUCCESS: null, FAILURE: null }, 'OrderStatus')
export type OrderStatus = t.TypeOf<typeof OrderStatus>

/** A result's `data`: its own fields plus the outcome every result carries, under the spec's names. */
const resultData = <P extends t.Props>(name: string, props: P) =>
  t.exact(t.type({ ...props, dashboardDataOrderStatus: OrderStatus, dashboardDataOrderMessage: t.string }), name)

/** sonata-service-dashboard-result: exactly the spec's fields. */
export const DashboardResult = resultData('DashboardResult', {
  dashboardId: t.string,
  serviceId: t.string,
  metricsDashboardUrl: t.string,
  logsDashboardUrl: t.string,
})
export type DashboardResult = t.TypeOf<typeof DashboardResult>

/** telemetry-platform-service-result: the platform-service logs dashboard. */
export const PlatformServiceResult = resultData('PlatformServiceResult', { dashboardId: t.string, serviceId: t.string, logsDashboardUrl: t.string })
export type PlatformServiceResult = t.TypeOf<typeof PlatformServiceResult>

/** sonata-service-delete-dashboard-result: which dashboards were removed (empty when none existed). */
export const DeleteDashboardResult = resultData('DeleteDashboardResult', { serviceId: t.string, deletedDashboardUids: t.array(t.string) })
export type DeleteDashboardResult = t.TypeOf<typeof DeleteDashboardResult>
