/**
 * Dashboard uids and tags derived from the serviceId, so every step (create, retry, delete) can
 * address a service's dashboards without having stored anything.
 *
 * Uid scheme (Grafana allows at most 40 chars of `[A-Za-z0-9_-]`):
 *   readable: `tc` + role letter + `-` + serviceId   when serviceId matches ^[a-z0-9-]{1,36}$
 *   hashed:   `tc` + role letter + `_` + 32 hex chars of sha256(serviceId)   otherwise
 * Role letters: m(etrics), l(ogs), p(latform). A UUID serviceId (36 chars) stays readable.
 * Why injective: the 4th character tells the two forms apart (`-` vs `_`), the readable form is
 * the identity on serviceId, and the hashed form is 128 bits of sha256 (a collision is not a
 * practical concern). Both forms are lowercase, because Grafana on MySQL compares uids
 * case-insensitively: `ABC` and `abc` must not map to uids that differ only in case — upper-case
 * ids take the hashed form.
 */
import { createHash } from 'node:crypto'
import type { DashboardRole } from '../../codecs/dashboard-role.js'

const ROLE_LETTER: Readonly<Record<DashboardRole, string>> = { metrics: 'm', logs: 'l', platform: 'p' }

const READABLE_ID = /^[a-z0-9-]{1,36}$/

const sha256Hex = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex')

export const dashboardUid = (serviceId: string, role: DashboardRole): string => {
  const prefix = `tc${ROLE_LETTER[role]}`
  return READABLE_ID.test(serviceId) ? `${prefix}-${serviceId}` : `${prefix}_${sha256Hex(serviceId).slice(0, 32)}`
}

/** Every dashboard this service creates carries this tag. */
export const MANAGED_TAG = 'etsi-hypo-telemetry'

/**
 * Grafana stores a tag in a 50-char column and search by tag is an exact match (case-insensitive
 * on MySQL), so the same idea as the uid: `service:<id>` when the id is short and lowercase,
 * `service#<32 hex of sha256>` otherwise (`:` vs `#` keeps the forms apart).
 */
const READABLE_TAG_ID = /^[a-z0-9._-]{1,42}$/

/** The Grafana tag that finds all dashboards of one service (used by the delete flow). */
export const serviceTag = (serviceId: string): string =>
  READABLE_TAG_ID.test(serviceId) ? `service:${serviceId}` : `service#${sha256Hex(serviceId).slice(0, 32)}`

/**
 * What makes a dashboard title unique per folder whatever the serviceId's case. Grafana before 11.3
 * on MySQL keeps titles unique per folder case-insensitively, and a save with `overwrite` lands on
 * the same-titled dashboard: `ABC` after `abc` would take abc's over. An id that is all lower case
 * needs nothing (`App Metrics — abc`); any other id gets ` [#` + 12 hex of sha256(id) + `]`. No
 * serviceId contains a space or `#`, so a suffixed title never equals an unsuffixed one in any case,
 * and two ids that differ only in case differ in their hash.
 */
export const titleDiscriminator = (serviceId: string): string => (serviceId === serviceId.toLowerCase() ? '' : ` [#${sha256Hex(serviceId).slice(0, 12)}]`)

/**
 * Under `/apis` a dashboard is marked as the service's by labels, which a `labelSelector` finds:
 * the managing service, and the serviceId as a valid label value (at most 63 chars of
 * `[a-z0-9-]`, alphanumeric at both ends: the id itself when it is one, lower case so no store's
 * collation can confuse two ids; otherwise `sha256.` + 32 hex, which no readable value contains).
 * The exact serviceId is in an annotation and checked on this side too.
 */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by'
export const MANAGER = 'telemetry-client'
export const SERVICE_LABEL = 'telemetry-client/service'
export const SERVICE_ID_ANNOTATION = 'telemetry-client/service-id'

const READABLE_LABEL_ID = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/

export const serviceLabelValue = (serviceId: string): string => (READABLE_LABEL_ID.test(serviceId) ? serviceId : `sha256.${sha256Hex(serviceId).slice(0, 32)}`)

export const ownershipLabels = (serviceId: string): Readonly<Record<string, string>> => ({
  [MANAGED_BY_LABEL]: MANAGER,
  [SERVICE_LABEL]: serviceLabelValue(serviceId),
})

/** The labelSelector that finds a service's dashboards (`key=value,key=value`). */
export const ownershipSelector = (serviceId: string): string =>
  Object.entries(ownershipLabels(serviceId))
    .map(([key, value]) => `${key}=${value}`)
    .join(',')

/** Labels and annotation both say `serviceId`: a selector match is checked again on this side. */
export const markedAs = (
  serviceId: string,
  labels: Readonly<Record<string, string>> | undefined,
  annotations: Readonly<Record<string, string>> | undefined,
): boolean =>
  labels?.[MANAGED_BY_LABEL] === MANAGER && labels[SERVICE_LABEL] === serviceLabelValue(serviceId) && annotations?.[SERVICE_ID_ANNOTATION] === serviceId
