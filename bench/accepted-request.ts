/**
 * A request as the benches seed it into a log: the Kogito attributes of a fresh process instance,
 * the spec sample's create payload for a service, and the RequestAccepted the inbox records for it,
 * decoded through the real codec (the payload's branded types are only made by decoding).
 */
import { isLeft } from 'fp-ts/lib/Either.js'
import { randomUUID } from 'node:crypto'
import type { RequestAccepted } from '../src/codecs/events.js'
import { decodeEvent } from '../src/state/event-codec.js'
import { sampleCreateRequest } from '../dev/sample-requests.js'

/** The Kogito extension attributes SONATA's process sends, for a new process instance. */
export const freshKogito = () => ({
  kogitoproctype: 'BPMN',
  kogitoprocinstanceid: randomUUID(),
  kogitoprocist: 'Active',
  kogitoprocversion: '1.0',
  kogitoprocid: 'serviceTelemetryProcess',
})

/** The spec sample's create payload, for `serviceId`. */
export const samplePayloadFor = (serviceId: string) => ({ ...sampleCreateRequest.data, serviceId })

export interface AcceptedRequest {
  readonly requestId: string
  readonly at: string
  readonly request: { readonly kind: string; readonly payload: unknown }
  readonly origin: string
  readonly kogito?: ReturnType<typeof freshKogito>
}

export const acceptedRequest = ({ requestId, at, request, origin, kogito = freshKogito() }: AcceptedRequest): RequestAccepted => {
  const decoded = decodeEvent(JSON.stringify({ v: 1, requestId, at, type: 'RequestAccepted', request, kogito, origin, publishedAt: at }))
  if (isLeft(decoded)) throw new Error(`bench request does not decode: ${decoded.left}`)
  if (decoded.right.type !== 'RequestAccepted') throw new Error(`bench request decodes as ${decoded.right.type}`)
  return decoded.right
}
