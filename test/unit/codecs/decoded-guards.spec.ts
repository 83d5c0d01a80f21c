import { expect } from 'chai'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import * as Events from '../../../src/codecs/events.js'
import type { ServiceEvent, ServiceEventType } from '../../../src/codecs/events.js'
import { decodeWith, formatFailure, type DecodeFailure } from '../../../src/codecs/decode.js'
import { decodeEvent, encodeEvent, upcast } from '../../../src/state/event-codec.js'
import { SERVICE, T0, accepted, createAccepted, oneOfEach, platformPayload } from '../../fixtures/events.js'

type Guard = (u: unknown) => boolean
const BY_TYPE: { readonly [K in ServiceEventType]: readonly [Guard, (u: unknown) => E.Either<DecodeFailure, ServiceEvent>] } = {
  RequestAccepted: [Events.isDecodedRequestAccepted, decodeWith(Events.RequestAccepted)],
  RequestRedelivered: [Events.isDecodedRequestRedelivered, decodeWith(Events.RequestRedelivered)],
  ScrapeJobRegistered: [Events.isDecodedScrapeJobRegistered, decodeWith(Events.ScrapeJobRegistered)],
  ScrapeJobRemoved: [Events.isDecodedScrapeJobRemoved, decodeWith(Events.ScrapeJobRemoved)],
  DashboardUpserted: [Events.isDecodedDashboardUpserted, decodeWith(Events.DashboardUpserted)],
  DashboardsDeleted: [Events.isDecodedDashboardsDeleted, decodeWith(Events.DashboardsDeleted)],
  StepFailed: [Events.isDecodedStepFailed, decodeWith(Events.StepFailed)],
  RequestCompleted: [Events.isDecodedRequestCompleted, decodeWith(Events.RequestCompleted)],
  ResultPublished: [Events.isDecodedResultPublished, decodeWith(Events.ResultPublished)],
}

/** Every event shape the service writes, optional fields included. */
const written = (): readonly ServiceEvent[] => [
  ...oneOfEach(),
  accepted('r4', { kind: 'platform', payload: platformPayload(SERVICE, ['ns-a'], 'Billing') }),
  { ...createAccepted('r5', SERVICE, { host: 'prometheus.example' }), publishedAt: T0 },
  createAccepted('r6', SERVICE, { host: 'fd00::1' }),
  Events.stepFailed({ requestId: 'r1', at: T0, step: 'registerJob', reason: 'x', retryable: true, retryAt: T0 }),
]

/** What decoding gave before the fast path: the type's io-ts codec alone, after upcasting. */
const byCodecAlone = (json: string): E.Either<string, ServiceEvent> => {
  const raw = upcast(JSON.parse(json) as Record<string, unknown>)
  const entry = BY_TYPE[raw['type'] as ServiceEventType]
  return E.mapLeft(formatFailure)(entry[1](raw))
}

const clone = (u: unknown): unknown => JSON.parse(JSON.stringify(u)) as unknown

/** Every path to a value inside `u` (object keys and array indexes), the root excluded. */
const pathsOf = (u: unknown, prefix: readonly string[] = []): string[][] => {
  if (typeof u !== 'object' || u === null) return []
  return Object.keys(u).flatMap((key) => [[...prefix, key], ...pathsOf((u as Record<string, unknown>)[key], [...prefix, key])])
}

const DELETE = Symbol('delete')
const EXTRA = Symbol('extra key')
const replacement = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom<unknown>(DELETE, EXTRA) },
  {
    weight: 2,
    arbitrary: fc.constantFrom<unknown>(
      7,
      -1,
      0,
      70000,
      1.5,
      '',
      'x',
      '[::1]',
      '::1',
      '10.0.0.256',
      'NAMESPACE_1',
      'ns a',
      true,
      false,
      null,
      [],
      {},
      ['a', 'a'],
      ['a'],
      'registerJob',
      'metrics',
      'SUCCESS',
      2,
    ),
  },
)

/** `u` with the value at `path` replaced, deleted, or given an extra key. */
const mutate = (u: unknown, path: readonly string[], value: unknown): unknown => {
  const root = clone(u)
  let parent = root as Record<string, unknown>
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string, unknown>
  const last = path[path.length - 1] ?? ''
  if (value === DELETE && Array.isArray(parent)) parent.splice(Number(last), 1)
  else if (value === DELETE) delete parent[last]
  else if (value === EXTRA) {
    const target = parent[last]
    if (typeof target === 'object' && target !== null) (target as Record<string, unknown>)['unexpected'] = 'x'
    else parent['unexpected'] = 'x'
  } else parent[last] = value
  return root
}

describe('event codec: the fast path (isDecoded… guards)', () => {
  written().forEach((event, i) => {
    it(`takes the fast path for a ${event.type} as the service writes it (#${i + 1})`, () => {
      const raw = JSON.parse(encodeEvent(event)) as unknown
      expect(BY_TYPE[event.type][0](raw)).to.equal(true)
      expect(decodeEvent(encodeEvent(event))).to.deep.equal(E.right(event))
    })
  })

  it('given any damaged event, then a guard says yes only when the codec gives the same value back, and decodeEvent answers as the codec alone did', () => {
    const events = written()
    fc.assert(
      fc.property(fc.nat(events.length - 1), fc.array(fc.tuple(fc.nat(), replacement), { minLength: 1, maxLength: 3 }), (which, edits) => {
        let raw: unknown = JSON.parse(encodeEvent(events[which]!))
        for (const [pick, value] of edits) {
          const paths = pathsOf(raw).filter((p) => p[0] !== 'type')
          raw = mutate(raw, paths[pick % paths.length] ?? ['requestId'], value)
        }
        // what the log gives: text, parsed
        const json = JSON.stringify(raw)
        raw = JSON.parse(json)
        const [guard, decode] = BY_TYPE[events[which]!.type]
        if (guard(raw)) {
          const decoded = decode(JSON.parse(json))
          expect(E.isRight(decoded), `guard accepted what the codec rejects: ${json}`).to.equal(true)
          expect(E.isRight(decoded) && JSON.stringify(decoded.right)).to.equal(json)
          expect(E.isRight(decoded) && decoded.right).to.deep.equal(raw)
        }
        expect(decodeEvent(json)).to.deep.equal(byCodecAlone(json))
      }),
      { numRuns: 1000 },
    )
  })

  it('leaves values the codec would change to the codec: extra payload keys, a bracketed IPv6 host, repeated namespaces', () => {
    type Accepted = { request: { kind: string; payload: Record<string, unknown> & { prometheus: Record<string, unknown> } } }
    const [create, platform, remove] = oneOfEach()
      .slice(0, 3)
      .map((e) => JSON.parse(encodeEvent(e)) as Accepted) as [Accepted, Accepted, Accepted]
    const variants = [
      { ...remove, request: { ...remove.request, payload: { ...remove.request.payload, extra: 1 } } },
      { ...platform, request: { ...platform.request, payload: { ...platform.request.payload, extra: 1 } } },
      { ...create, request: { ...create.request, payload: { ...create.request.payload, extra: 1 } } },
      {
        ...create,
        request: { ...create.request, payload: { ...create.request.payload, prometheus: { ...create.request.payload.prometheus, scheme: 'http' } } },
      },
      { ...create, request: { ...create.request, payload: { ...create.request.payload, prometheus: { host: '[fd00::1]', port: 9090 } } } },
      { ...create, request: { ...create.request, payload: { ...create.request.payload, namespaces: ['a', 'b', 'a'] } } },
    ]
    for (const variant of variants) {
      expect(Events.isDecodedRequestAccepted(variant)).to.equal(false)
      const json = JSON.stringify(variant)
      const decoded = decodeEvent(json)
      expect(E.isRight(decoded)).to.equal(true)
      expect(decoded).to.deep.equal(byCodecAlone(json))
      expect(E.isRight(decoded) && JSON.stringify(decoded.right)).to.not.equal(json)
    }
  })
})
