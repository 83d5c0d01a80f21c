import * as E from 'fp-ts/lib/Either.js'
import { ServiceSnapshot } from '../codecs/snapshot.js'
import type { ServiceState } from './service-state.js'

/** A decoded snapshot, or undefined when it is missing, damaged or another service's: then the log is folded from the start. */
export const decodeSnapshot = (text: string, serviceId: string): ServiceState | undefined => {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch {
    return undefined
  }
  const decoded = ServiceSnapshot.decode(raw)
  if (E.isLeft(decoded) || decoded.right.serviceId !== serviceId) return undefined
  // decode() of t.type keeps extra keys; the stored text is ours, so the value is used as parsed
  return decoded.right
}
