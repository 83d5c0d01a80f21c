/**
 * Hostile and malformed requests, end to end: each is dead-lettered with its reason and original
 * bytes, answered with a FAILURE result when its type is known and it can be correlated (serviceId or
 * kogitoprocinstanceid), and none of them
 * touches the secret or Grafana or blocks its partition: a valid request sent after them succeeds.
 */
import { expect } from 'chai'
import { DEFAULT_DEAD_LETTER_TOPIC, RequestTopics, ResultTopics } from '../../../src/codecs/topics.js'
import { publish, type CollectedMessage } from '../../support/kafka-helpers.js'
import { checkScrapeConfigsWithPromtool } from '../../support/promtool.js'
import { useHarness } from '../../support/harness-hooks.js'
import {
  createRequest,
  dataOf,
  deleteRequest,
  envelopeOf,
  json,
  jobNamesIn,
  platformRequest,
  publishRequests,
  resultOf,
} from '../../support/request-builders.js'

interface Hostile {
  readonly title: string
  readonly topic: string
  readonly key: string
  readonly value: Buffer
  /** the FAILURE result expected, or undefined when none can be addressed */
  readonly result?: { readonly topic: string; readonly kogitoprocinstanceid: string; readonly serviceId: string }
  /** what the reason must say */
  readonly reason: RegExp
}

const bytes = (value: unknown): Buffer => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value), 'utf8')

/** A create request whose `data` is replaced (or edited) to carry the hostile part. */
const hostileCreate = (title: string, edit: (data: Record<string, unknown>) => Record<string, unknown>, reason: RegExp): Hostile => {
  const request = createRequest('placeholder')
  const data = edit({ ...request.data })
  const serviceId = data['serviceId']
  return {
    title,
    topic: RequestTopics.create,
    key: typeof serviceId === 'string' ? serviceId : 'no-service-id',
    value: bytes({ ...request, data }),
    // answered whenever SONATA can correlate it: by serviceId, or (missing serviceId) by its process instance
    result: { topic: ResultTopics.create, kogitoprocinstanceid: request.kogitoprocinstanceid, serviceId: typeof serviceId === 'string' ? serviceId : '' },
    reason,
  }
}

/** A whole request refused, answered on its kind's result topic for `serviceId` (the key it is sent under: `key`). */
const refused = (
  title: string,
  kind: 'create' | 'platform' | 'delete',
  request: Readonly<Record<string, unknown>> & { readonly kogitoprocinstanceid: string },
  serviceId: string,
  reason: RegExp,
  key = serviceId,
): Hostile => ({
  title,
  topic: RequestTopics[kind],
  key,
  value: bytes(request),
  result: { topic: ResultTopics[kind], kogitoprocinstanceid: request.kogitoprocinstanceid, serviceId },
  reason,
})

const wrongSpecversion = (): Hostile =>
  refused(
    "specversion '0.3'",
    'create',
    { ...createRequest('svc-spec-03'), specversion: '0.3' },
    'svc-spec-03',
    /unsupported CloudEvents specversion: expected "1\.0", got "0\.3"/,
  )

const badPlatformNamespace = (): Hostile =>
  refused(
    'a platform request with namespace "bad|ns"',
    'platform',
    platformRequest('svc-platform-bad', ['hypo-ok', 'bad|ns']),
    'svc-platform-bad',
    /invalid platform request: data\.namespaces\.1: .*"bad\|ns"/,
  )

const quotedDelete = (): Hostile =>
  refused(
    'a delete whose serviceId carries a quote and a brace',
    'delete',
    deleteRequest('svc"} or vector(1) #'),
    'svc"} or vector(1) #',
    /invalid delete request: data\.serviceId/,
    'svc-quote',
  )

const hostileMessages = (): Hostile[] => [
  { title: 'malformed JSON', topic: RequestTopics.create, key: 'svc-malformed', value: bytes('{"specversion":"1.0","id":'), reason: /^malformed JSON/ },
  { title: 'invalid UTF-8', topic: RequestTopics.create, key: 'svc-utf8', value: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), reason: /^malformed JSON/ },
  { title: 'a JSON array instead of an event', topic: RequestTopics.delete, key: 'svc-array', value: bytes('[1,2,3]'), reason: /expected a JSON object/ },
  { title: 'an empty value', topic: RequestTopics.delete, key: 'svc-empty', value: Buffer.alloc(0), reason: /empty message/ },
  wrongSpecversion(),
  hostileCreate('missing serviceId', ({ serviceId: _dropped, ...rest }) => rest, /invalid create request: data\.serviceId/),
  hostileCreate('namespace "bad|ns"', (d) => ({ ...d, serviceId: 'svc-bad-ns', namespaces: ['NAMESPACE_1', 'bad|ns'] }), /data\.namespaces\.1: .*"bad\|ns"/),
  hostileCreate(
    'port 70000',
    (d) => ({ ...d, serviceId: 'svc-port', prometheus: { host: '10.10.10.4', port: 70000 } }),
    /data\.prometheus\.port: expected Port \(integer 1-65535\), got 70000/,
  ),
  hostileCreate('port as a string', (d) => ({ ...d, serviceId: 'svc-port-string', prometheus: { host: '10.10.10.4', port: '80' } }), /data\.prometheus\.port/),
  hostileCreate(
    'a host with a scheme and path',
    (d) => ({ ...d, serviceId: 'svc-host', prometheus: { host: 'http://evil/x', port: 9090 } }),
    /data\.prometheus\.host/,
  ),
  hostileCreate('a serviceId with a quote', (d) => ({ ...d, serviceId: 'svc"quoted' }), /data\.serviceId/),
  hostileCreate('a serviceId with a newline (YAML injection)', (d) => ({ ...d, serviceId: 'svc\n- job_name: injected' }), /data\.serviceId/),
  hostileCreate('a namespace with "}', (d) => ({ ...d, serviceId: 'svc-brace', namespaces: ['ns"}, {__name__=~".+'] }), /data\.namespaces\.0/),
  badPlatformNamespace(),
  quotedDelete(),
]

describe('hostile and malformed requests end to end', function () {
  this.timeout(60_000)
  const ctx = useHarness({ topics: [...Object.values(ResultTopics), DEFAULT_DEAD_LETTER_TOPIC] })

  const deadLetterOf = (value: Buffer): Promise<CollectedMessage> =>
    ctx.results.waitFor((m) => m.topic === DEFAULT_DEAD_LETTER_TOPIC && json(m)['valueBase64'] === value.toString('base64'), 30_000)

  it('dead-letters each one with its reason and bytes, answers FAILURE where it can, writes nothing', async () => {
    const writesBefore = ctx.harness.stack.kube.successfulWrites
    const hostile = hostileMessages()
    for (const h of hostile) await publish(h.topic, [{ key: h.key, value: h.value }])

    for (const h of hostile) {
      const letter = json(await deadLetterOf(h.value))
      expect(letter['topic'], h.title).to.equal(h.topic)
      expect(letter['reason'], h.title).to.be.a('string').and.match(h.reason)
      expect(letter['reasons'], h.title).to.be.an('array').that.is.not.empty
      expect(Buffer.from(String(letter['valueBase64']), 'base64').equals(h.value), h.title).to.equal(true)
      if (h.result === undefined) continue
      const answer = await resultOf(ctx.results, h.result)
      const envelope = envelopeOf(answer)
      expect(answer.topic, h.title).to.equal(h.result.topic)
      expect(envelope['kogitoprocrefid'], h.title).to.equal(h.result.kogitoprocinstanceid)
      expect(envelope.data['serviceId'], h.title).to.equal(h.result.serviceId)
      expect(envelope.data['dashboardDataOrderStatus'], h.title).to.equal('FAILURE')
      expect(envelope.data['dashboardDataOrderMessage'], h.title).to.be.a('string').and.match(h.reason)
      expect(letter['cloudEventId'], h.title).to.be.a('string')
    }
    // nothing a rejected message carried reached Kubernetes or Grafana
    expect(ctx.harness.stack.kube.successfulWrites).to.equal(writesBefore)
    expect(ctx.harness.stack.grafana.dashboards()).to.deep.equal([])
    // only the correlatable messages were answered
    const answered = ctx.results.messages.filter((m) => m.topic !== DEFAULT_DEAD_LETTER_TOPIC)
    expect(answered).to.have.length(hostile.filter((h) => h.result !== undefined).length)
  })

  it('a valid request sent after them on the same topics still succeeds', async () => {
    const create = createRequest('svc-after-hostile', ['hypo-ok'])
    const platform = platformRequest('svc-after-hostile-platform', ['hypo-ok'])
    await publishRequests([create, platform])
    expect(dataOf(await resultOf(ctx.results, create))['dashboardDataOrderStatus']).to.equal('SUCCESS')
    expect(dataOf(await resultOf(ctx.results, platform))['dashboardDataOrderStatus']).to.equal('SUCCESS')
    const yaml = ctx.harness.stack.scrapeConfigs()
    expect(jobNamesIn(yaml)).to.deep.equal(['svc-after-hostile'])
    const promtool = await checkScrapeConfigsWithPromtool(yaml ?? '')
    expect(promtool.ok, promtool.output).to.equal(true)
  })
})
