/**
 * Deterministic ids. A result's CloudEvent id is a UUID v5 of the request's id, so a result that
 * is re-sent after a crash or a redelivery carries the same id and SONATA can drop the copy.
 */
import { createHash } from 'node:crypto'

/** UUID namespace of this service (a fixed random UUID). */
const NAMESPACE = Buffer.from('5f0c6c2e8b7d4e0f9a1d3c4b2a190e77', 'hex')

export const uuidV5 = (name: string, namespace: Buffer = NAMESPACE): string => {
  const hash = createHash('sha1').update(namespace).update(name, 'utf8').digest()
  hash[6] = (hash[6]! & 0x0f) | 0x50
  hash[8] = (hash[8]! & 0x3f) | 0x80
  const hex = hash.subarray(0, 16).toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`
}

export const resultIdOf = (requestId: string): string => uuidV5(`result:${requestId}`)

/** For messages rejected before they have a usable CloudEvent id: their Kafka coordinates. */
export const rejectionIdOf = (topic: string, partition: number, offset: string): string => uuidV5(`rejected:${topic}/${partition}/${offset}`)
