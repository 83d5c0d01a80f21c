/**
 * `preview`: what the service would do with one request message, without doing any of it.
 *
 * The message goes through the service's own door (decodeAtTheDoor: same decoder, same limits);
 * the job, the dashboard models, the folders and the result envelope come from the same pure
 * builders the effects use. Nothing here reaches Kafka, Redis, Kubernetes or Grafana; the only
 * guesses are Grafana's link slug (it assigns the url on save) and, for a delete, what exists.
 */
import { isLeft } from 'fp-ts/lib/Either.js'
import { decodeAtTheDoor } from '../../codecs/at-the-door.js'
import type { RequestMessage } from '../../codecs/request-message.js'
import type { RequestKind } from '../../codecs/topics.js'
import type { PreviewConfig } from '../../config/preview-config.js'
import { rejectionRecords } from '../../streams/kafka/dead-letter.js'
import type { DashboardRole } from '../../codecs/dashboard-role.js'
import { dashboardUid } from '../../effects/grafana/dashboard-uids.js'
import { dashboardModelOf, jobOf } from '../../effects/desired-state.js'
import { ScrapeConfigResource } from '../../codecs/apis/scrape-config.js'
import { scrapeConfigOf } from '../../effects/kube/scrapeconfig/scrape-config-of.js'
import { scrapeConfigName } from '../../effects/kube/scrapeconfig/scrape-config-name.js'
import { renderedJobBytes } from '../../effects/prometheus/job-size.js'
import { Folders, type FolderSpec } from '../../effects/grafana/folders.js'
import { fragment } from '../../effects/prometheus/scrape-config-list.js'
import { yamlText } from '../../effects/prometheus/yaml-text.js'
import { resultIdOf } from '../../state/ids.js'
import { publicUrl, resultEnvelope, resultRecord, type ResultContext } from '../../state/result-message.js'

export interface PreviewedRecord {
  readonly topic: string
  readonly key: string
  readonly value: unknown
}

export interface PreviewedDashboard {
  readonly role: DashboardRole
  readonly uid: string
  readonly title: string
  readonly folder: FolderSpec
  /** the link SONATA would get (Grafana's slug of the title, as Grafana assigns it on save) */
  readonly url: string
  readonly model: Record<string, unknown>
}

export type Preview =
  | {
      readonly verdict: 'accepted'
      readonly kind: RequestKind
      readonly serviceId: string
      readonly requestId: string
      /** upserted into the secret's list (create) */
      readonly scrapeJobYaml?: string
      /** removed from the secret's list, if present (delete) */
      readonly removeJob?: string
      /** scrapeconfig mode: the object applied (create), as YAML */
      readonly scrapeConfigYaml?: string
      /** scrapeconfig mode: the object deleted, if present and the service's own (delete) */
      readonly removeScrapeConfig?: string
      readonly folders: readonly FolderSpec[]
      readonly dashboards: readonly PreviewedDashboard[]
      /** deleted, those of them that exist (delete) */
      readonly deleteDashboardUids?: readonly string[]
      readonly result: PreviewedRecord
      readonly notes: readonly string[]
    }
  | {
      readonly verdict: 'rejected'
      readonly reason: string
      readonly reasons: readonly string[]
      readonly deadLetter: PreviewedRecord
      /** the FAILURE answer, when the message says whom to answer */
      readonly result?: PreviewedRecord
    }

const ROLES_OF: Readonly<Record<RequestKind, readonly DashboardRole[]>> = { create: ['metrics', 'logs'], platform: ['platform'], delete: [] }

const slugOf = (title: string): string =>
  title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')

const parsed = (record: { topic: string; key: string; value: string }): PreviewedRecord => ({
  topic: record.topic,
  key: record.key,
  value: JSON.parse(record.value) as unknown,
})

const dashboardsOf = (message: RequestMessage, config: PreviewConfig): readonly PreviewedDashboard[] => {
  if (message.kind === 'delete') return []
  return ROLES_OF[message.kind].map((role) => {
    const model = dashboardModelOf(role, message.payload, config)
    const uid = dashboardUid(message.payload.serviceId, role)
    const title = typeof model['title'] === 'string' ? model['title'] : uid
    return { role, uid, title, folder: Folders[role], url: publicUrl(config.grafanaPublicUrl, `/d/${uid}/${slugOf(title)}`), model }
  })
}

const successData = (message: RequestMessage, dashboards: readonly PreviewedDashboard[], deleted: readonly string[]): object => {
  const serviceId = message.payload.serviceId
  const urlOf = (role: DashboardRole) => dashboards.find((d) => d.role === role)?.url ?? ''
  const idOf = (role: DashboardRole) => dashboards.find((d) => d.role === role)?.uid ?? ''
  switch (message.kind) {
    case 'create':
      return {
        dashboardId: idOf('metrics'),
        serviceId,
        metricsDashboardUrl: urlOf('metrics'),
        logsDashboardUrl: urlOf('logs'),
        dashboardDataOrderStatus: 'SUCCESS',
        dashboardDataOrderMessage: 'Telemetry was successful',
      }
    case 'platform':
      return {
        dashboardId: idOf('platform'),
        serviceId,
        logsDashboardUrl: urlOf('platform'),
        dashboardDataOrderStatus: 'SUCCESS',
        dashboardDataOrderMessage: 'Platform service logs dashboard is in place',
      }
    case 'delete':
      return {
        serviceId,
        dashboardDataOrderStatus: 'SUCCESS',
        dashboardDataOrderMessage: `Telemetry deleted: removed Prometheus job ${serviceId}; deleted ${deleted.length} dashboard(s): ${deleted.join(', ')}`,
        deletedDashboardUids: [...deleted],
      }
  }
}

/** What the active backend would write: the secret's job, or the service's ScrapeConfig. */
const scrapeTargetsOf = (message: RequestMessage, config: PreviewConfig) => {
  const { serviceId } = message.payload
  if (config.scrapeConfig !== undefined) {
    if (message.kind === 'create')
      return {
        scrapeConfigYaml: yamlText(
          ScrapeConfigResource.encode(
            scrapeConfigOf(jobOf(message.payload), { namespace: config.scrapeConfig.namespace, extraLabels: config.scrapeConfig.labels }),
          ),
        ),
      }
    return message.kind === 'delete' ? { removeScrapeConfig: `${config.scrapeConfig.namespace}/${scrapeConfigName(serviceId)}` } : {}
  }
  if (message.kind === 'create') return { scrapeJobYaml: fragment(jobOf(message.payload)) }
  return message.kind === 'delete' ? { removeJob: serviceId } : {}
}

const accepted = (message: RequestMessage, config: PreviewConfig, ctx: ResultContext, at: string): Preview => {
  const serviceId = message.payload.serviceId
  const dashboards = dashboardsOf(message, config)
  const deleted = message.kind === 'delete' ? [dashboardUid(serviceId, 'metrics'), dashboardUid(serviceId, 'logs')] : []
  const envelope = resultEnvelope(
    message.kind,
    successData(message, dashboards, deleted),
    { resultId: resultIdOf(message.envelope.id), kogito: message.kogito, at },
    ctx,
  )
  const notes =
    message.kind === 'delete'
      ? [
          "the result assumes the job and the create request's two dashboards exist; the service deletes every dashboard tagged with the service and reports what it removed",
        ]
      : ["dashboard links use Grafana's slug of the title; Grafana assigns the final url when it saves"]
  return {
    verdict: 'accepted',
    kind: message.kind,
    serviceId,
    requestId: message.envelope.id,
    ...scrapeTargetsOf(message, config),
    ...(message.kind === 'delete' ? { deleteDashboardUids: deleted } : {}),
    folders: [...new Set(dashboards.map((d) => d.folder))],
    dashboards,
    result: parsed(resultRecord(message.kind, serviceId, envelope)),
    notes,
  }
}

export interface PreviewInput {
  readonly topic: string
  readonly key?: string | null
  readonly value: Buffer
}

/** What the service would do with this record; `at` stands in for the time the service would stamp. */
export const previewRequest = (input: PreviewInput, config: PreviewConfig, at: string): Preview => {
  const ctx: ResultContext = { sourceUri: config.sourceUri, grafanaPublicUrl: config.grafanaPublicUrl, echo: config.limits }
  const decoded = decodeAtTheDoor({ topic: input.topic, value: input.value }, config.limits, renderedJobBytes)
  if (!isLeft(decoded)) return accepted(decoded.right, config, ctx, at)
  // a previewed record has no partition or offset: 0/0 stands in for them
  const delivery = { topic: input.topic, partition: 0, offset: '0', key: input.key ?? null, value: input.value }
  const [deadLetter, result] = rejectionRecords(delivery, decoded.left, config.deadLetterTopic, at, ctx, config.maxRecordBytes)
  return {
    verdict: 'rejected',
    reason: decoded.left.reason,
    reasons: decoded.left.reasons,
    deadLetter: parsed(deadLetter ?? { topic: config.deadLetterTopic, key: '', value: 'null' }),
    ...(result === undefined ? {} : { result: parsed(result) }),
  }
}
