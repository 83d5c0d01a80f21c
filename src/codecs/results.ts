/**
 * The `data` of the three result topics. `t.exact` so encoding strips anything that is not part of
 * the contract: SONATA's process variables are mapped from exactly these fields.
 * `serviceId` is a plain string because a FAILURE result may echo an invalid one back; on FAILURE
 * ids and URLs that are not known are "".
 */
import * as t from 'io-ts'

export const OrderStatus = t.keyof({ SUCCESS: null, FAILURE: null }, 'OrderStatus')
export type OrderStatus = t.TypeOf<typeof OrderStatus>

/** sonata-service-dashboard-result: exactly the spec's fields. */
export const DashboardResult = t.exact(
  t.type({
    dashboardId: t.string,
    serviceId: t.string,
    metricsDashboardUrl: t.string,
    logsDashboardUrl: t.string,
    dashboardDataOrderStatus: OrderStatus,
    dashboardDataOrderMessage: t.string,
  }),
  'DashboardResult',
)
export type DashboardResult = t.TypeOf<typeof DashboardResult>

/** telemetry-platform-service-result: the platform-service logs dashboard. */
export const PlatformServiceResult = t.exact(
  t.type({
    dashboardId: t.string,
    serviceId: t.string,
    logsDashboardUrl: t.string,
    dashboardDataOrderStatus: OrderStatus,
    dashboardDataOrderMessage: t.string,
  }),
  'PlatformServiceResult',
)
export type PlatformServiceResult = t.TypeOf<typeof PlatformServiceResult>

/** sonata-service-delete-dashboard-result: which dashboards were removed (empty when none existed). */
export const DeleteDashboardResult = t.exact(
  t.type({
    serviceId: t.string,
    dashboardDataOrderStatus: OrderStatus,
    dashboardDataOrderMessage: t.string,
    deletedDashboardUids: t.array(t.string),
  }),
  'DeleteDashboardResult',
)
export type DeleteDashboardResult = t.TypeOf<typeof DeleteDashboardResult>
