/**
 * The Kafka topics of the SONATA contract (spec, Table 1). SONATA sets a request's CloudEvent
 * `type` to the topic name, and we do the same for results, so these strings double as types.
 */

export const RequestTopics = {
  create: 'telemetry-create-prometheus-job-and-grafana-dashboard',
  platform: 'telemetry-platform-service',
  delete: 'telemetry-delete-prometheus-job-and-grafana-dashboard',
} as const

export const ResultTopics = {
  create: 'sonata-service-dashboard-result',
  platform: 'telemetry-platform-service-result',
  delete: 'sonata-service-delete-dashboard-result',
} as const

/** Where requests that cannot be decoded are parked (with the reason), so a bad message never blocks its partition. */
export const DEFAULT_DEAD_LETTER_TOPIC = 'telemetry-dead-letter'

export type RequestKind = keyof typeof RequestTopics

export const REQUEST_KINDS: readonly RequestKind[] = ['create', 'platform', 'delete']

/** The request kind a topic carries; undefined for any other topic (also for `toString`, `__proto__`...). */
export const requestKindOfTopic = (topic: string): RequestKind | undefined => REQUEST_KINDS.find((k) => RequestTopics[k] === topic)
