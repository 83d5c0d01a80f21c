/**
 * CloudEvents 1.0 envelopes in structured JSON mode, as SONATA's Kogito runtime sends them.
 *
 * Kogito correlates a callback with the waiting process instance through its `kogito*`
 * extension attributes, so every one of them is kept verbatim (name and value) and carried from
 * the request into the result; dropping or renaming one could leave a BPMN process waiting.
 */
import * as t from 'io-ts'
import { NonEmptyString, Rfc3339 } from './primitives.js'

/** The envelope of a request. `data` is checked by the payload codec of the topic, not here. */
export const CloudEvent = t.intersection(
  [
    t.type({
      specversion: t.literal('1.0'),
      id: NonEmptyString,
      /** URI-reference; only non-emptiness is checked, as SONATA's sources are relative paths */
      source: NonEmptyString,
      type: NonEmptyString,
      data: t.unknown,
    }),
    t.partial({
      time: Rfc3339,
      datacontenttype: t.string,
      subject: t.string,
      dataschema: t.string,
    }),
  ],
  'CloudEvent',
)
export type CloudEvent = t.TypeOf<typeof CloudEvent>

export type KogitoAttributes = Readonly<Record<string, string>>

const KOGITO_PREFIX = 'kogito'

/**
 * Every `kogito*` attribute of a raw envelope. Extension values are strings in CloudEvents;
 * numbers and booleans (some JSON producers emit them unquoted) are turned into strings, anything
 * else (objects, null) is not a valid extension value and is dropped.
 */
export const kogitoAttributesOf = (raw: Record<string, unknown>): KogitoAttributes => {
  const out: Record<string, string> = {}
  for (const [key, value] of Object.entries(raw)) {
    if (!key.startsWith(KOGITO_PREFIX)) continue
    if (typeof value === 'string') out[key] = value
    else if (typeof value === 'number' || typeof value === 'boolean') out[key] = String(value)
  }
  return out
}

export type KogitoExtensions = Readonly<Record<`kogito${string}`, string>>

const isKogitoExtensions = (u: unknown): u is KogitoExtensions =>
  typeof u === 'object' && u !== null && Object.entries(u).every(([k, v]) => !k.startsWith(KOGITO_PREFIX) || typeof v === 'string')

/** Every `kogito*` key of an object holds a string (other keys are not looked at). */
export const KogitoExtensions = new t.Type<KogitoExtensions, KogitoExtensions, unknown>(
  'KogitoExtensions (string values)',
  isKogitoExtensions,
  (u, c) => (isKogitoExtensions(u) ? t.success(u) : t.failure(u, c)),
  (k) => k,
)

/**
 * What we publish: a result envelope. `kogitoprocrefid` is the request's `kogitoprocinstanceid`
 * (Kogito's way of addressing the waiting process instance); the request's other kogito*
 * attributes travel along unchanged. `data` is the result payload, encoded by its own codec.
 */
export const OutgoingCloudEvent = t.intersection(
  [
    t.type({
      specversion: t.literal('1.0'),
      id: NonEmptyString,
      source: NonEmptyString,
      type: NonEmptyString,
      time: Rfc3339,
      datacontenttype: t.literal('application/json'),
      kogitoprocrefid: t.string,
      data: t.unknown,
    }),
    KogitoExtensions,
  ],
  'OutgoingCloudEvent',
)
export type OutgoingCloudEvent = t.TypeOf<typeof OutgoingCloudEvent>
