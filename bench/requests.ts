/**
 * What the bench publishes: create requests shaped like the spec's sample (fresh ids each), the
 * malformed messages of B7, and a publisher that records the publish time of every request
 * BEFORE it is sent (the start of the publish → result stopwatch).
 */
import { randomUUID } from 'node:crypto'
import type { Producer } from 'kafkajs'
import { RequestTopics } from '../src/codecs/topics.js'
import { sampleCreateRequest } from '../dev/sample-requests.js'

export interface CreateRequest {
  readonly id: string
  readonly kogitoprocinstanceid: string
  readonly data: { readonly serviceId: string; readonly namespaces: readonly string[]; readonly prometheus: { readonly host: string; readonly port: number } }
  readonly [attribute: string]: unknown
}

export const createRequest = (serviceId: string): CreateRequest => ({
  ...sampleCreateRequest,
  id: randomUUID(),
  kogitoprocinstanceid: randomUUID(),
  data: { serviceId, namespaces: ['NAMESPACE_1', 'NAMESPACE_2'], prometheus: { host: '10.10.10.4', port: 30180 } },
})

/** `count` creates for distinct services named `${prefix}-${i}` (a run's prefix keeps runs apart). */
export const createRequests = (prefix: string, count: number): CreateRequest[] => Array.from({ length: count }, (_, i) => createRequest(`${prefix}-${i}`))

export interface OutgoingMessage {
  readonly key: string
  readonly value: string
  /** the kogitoprocinstanceid to time, if the message expects an answer */
  readonly ref?: string
}

export const createMessage = (request: CreateRequest): OutgoingMessage => ({
  key: request.data.serviceId,
  value: JSON.stringify(request),
  ref: request.kogitoprocinstanceid,
})

/**
 * Three flavours nobody can answer (no serviceId, no process instance): not JSON, JSON that is no
 * CloudEvent, a CloudEvent whose data is missing. Each only produces a dead letter.
 */
export const malformedMessage = (i: number): OutgoingMessage => {
  switch (i % 3) {
    case 0:
      return { key: `bad-${i}`, value: `{"specversion": "1.0", "id": "bad-${i}", oops` }
    case 1:
      return { key: `bad-${i}`, value: JSON.stringify({ hello: 'world', n: i }) }
    default:
      return { key: `bad-${i}`, value: JSON.stringify({ specversion: '1.0', id: `bad-${i}`, source: '/bench', type: RequestTopics.create }) }
  }
}

/**
 * Sends `messages` to `topic` in chunks; returns the publish time (performance.now(), taken just
 * before the chunk that carries it is sent) of every message with a `ref`.
 */
export const publishAll = async (producer: Producer, topic: string, messages: readonly OutgoingMessage[], chunk = 500): Promise<Map<string, number>> => {
  const published = new Map<string, number>()
  for (let i = 0; i < messages.length; i += chunk) {
    const part = messages.slice(i, i + chunk)
    const at = performance.now()
    for (const m of part) if (m.ref !== undefined) published.set(m.ref, at)
    await producer.send({ topic, messages: part.map(({ key, value }) => ({ key, value })) })
  }
  return published
}

/**
 * Publishes `messages` at `perSecond`, in small ticks, so the load is steady rather than a burst.
 * Sends are not awaited one by one (a slow send must not slow the clock); all are awaited at the end.
 */
export const publishPaced = async (
  producer: Producer,
  topic: string,
  messages: readonly OutgoingMessage[],
  perSecond: number,
  tickMs = 20,
): Promise<Map<string, number>> => {
  const published = new Map<string, number>()
  const sends: Array<Promise<unknown>> = []
  const started = performance.now()
  let sent = 0
  while (sent < messages.length) {
    const due = Math.min(messages.length, Math.floor(((performance.now() - started) / 1000) * perSecond) + 1)
    if (due > sent) {
      const part = messages.slice(sent, due)
      const at = performance.now()
      for (const m of part) if (m.ref !== undefined) published.set(m.ref, at)
      sends.push(producer.send({ topic, messages: part.map(({ key, value }) => ({ key, value })) }))
      sent = due
    }
    await new Promise((resolve) => setTimeout(resolve, tickMs))
  }
  await Promise.all(sends)
  return published
}
