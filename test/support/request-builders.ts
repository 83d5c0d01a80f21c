/**
 * Shared by the end-to-end specs in this folder: SONATA-shaped requests with fresh ids (so every
 * test correlates its own answers by `kogitoprocinstanceid`), publishing them keyed by serviceId
 * as SONATA does, and reading back what the service wrote (result envelopes, the secret's jobs).
 */
import { load } from './yaml.js'
import { randomUUID } from 'node:crypto'
import { RequestTopics, type RequestKind } from '../../src/codecs/topics.js'
import { createRequestSample, deleteRequestSample } from '../fixtures/spec-samples.js'
import { publish, type CollectedMessage, type ResultCollector } from './kafka-helpers.js'

export type Envelope = Record<string, unknown> & { readonly id: string; readonly data: Record<string, unknown> }

/** The record value as JSON; a non-JSON value yields an empty object, so predicates simply do not match. */
export const json = (m: CollectedMessage): Record<string, unknown> => {
  try {
    const parsed = JSON.parse(m.value?.toString('utf8') ?? 'null') as unknown
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}

export const envelopeOf = (m: CollectedMessage): Envelope => json(m) as Envelope
export const dataOf = (m: CollectedMessage): Record<string, unknown> => envelopeOf(m).data

/** Every request carries a CloudEvent id and a Kogito process instance id of its own. */
export interface SentRequest {
  readonly id: string
  readonly kogitoprocinstanceid: string
  readonly type: string
  readonly data: Record<string, unknown>
}

const fresh = () => ({ id: randomUUID(), kogitoprocinstanceid: randomUUID() })

export const createRequest = (serviceId: string, namespaces: readonly string[] = ['NAMESPACE_1', 'NAMESPACE_2'], port = 30180) => ({
  ...createRequestSample,
  ...fresh(),
  data: { serviceId, namespaces: [...namespaces], prometheus: { host: '10.10.10.4', port } },
})

export const deleteRequest = (serviceId: string) => ({ ...deleteRequestSample, ...fresh(), data: { serviceId } })

export const platformRequest = (serviceId: string, namespaces: readonly string[], serviceName?: string) => ({
  specversion: '1.0',
  ...fresh(),
  source: '/process/platformServiceTelemetryProcess',
  type: RequestTopics.platform,
  time: '2024-11-12T09:00:00.000000000+02:00',
  kogitoproctype: 'BPMN',
  kogitoprocist: 'Active',
  kogitoprocversion: '1.0',
  kogitoprocid: 'platformServiceTelemetryProcess',
  data: { serviceId, namespaces: [...namespaces], ...(serviceName === undefined ? {} : { serviceName }) },
})

const kindOfType = (type: string): RequestKind => {
  const kind = (Object.keys(RequestTopics) as RequestKind[]).find((k) => RequestTopics[k] === type)
  if (kind === undefined) throw new Error(`not a request type: ${type}`)
  return kind
}

/** Publishes requests on the topic their `type` names, keyed by serviceId, in one produce call (order kept). */
export const publishRequests = async (requests: readonly SentRequest[]): Promise<void> => {
  for (const request of requests) kindOfType(request.type)
  // consecutive requests of one topic go in one send, so their order within a partition is the given order
  let i = 0
  while (i < requests.length) {
    const topic = requests[i]?.type ?? ''
    const run: SentRequest[] = []
    while (i < requests.length && requests[i]?.type === topic) run.push(requests[i++] as SentRequest)
    await publish(
      topic,
      run.map((r) => ({ key: String(r.data['serviceId']), value: JSON.stringify(r) })),
    )
  }
}

/** The result answering `request` (matched on kogitoprocrefid, as Kogito correlates it). */
export const resultOf = (results: ResultCollector, request: Pick<SentRequest, 'kogitoprocinstanceid'>, timeoutMs = 30_000): Promise<CollectedMessage> =>
  results.waitFor((m) => json(m)['kogitoprocrefid'] === request.kogitoprocinstanceid, timeoutMs)

/** Publishes the request and returns the data of the result answering it. */
export const answerTo = async (results: ResultCollector, request: SentRequest): Promise<Record<string, unknown>> => {
  await publishRequests([request])
  return dataOf(await resultOf(results, request))
}

export interface Job {
  readonly job_name: string
  readonly [field: string]: unknown
}

/** The secret's jobs (an empty or missing value is an empty list). */
export const jobsIn = (yaml: string | undefined): Job[] => (load(yaml ?? '') as Job[] | null | undefined) ?? []

export const jobNamesIn = (yaml: string | undefined): string[] => jobsIn(yaml).map((j) => j.job_name)
