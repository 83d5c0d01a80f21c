/**
 * Property-based hostile input over the real broker: fast-check generates batches of request
 * envelopes and payloads (oversized values, deep nesting, unicode, regex metacharacters, quotes,
 * YAML and PromQL/LogQL injection attempts in every field that reaches the secret, a query or a
 * Grafana uid) and publishes them on the three request topics. After every batch:
 * - every message was handled: answered, or dead-lettered with its exact bytes (nothing crashed);
 * - promtool accepts the secret; job names are unique; each job belongs to a create answered
 *   SUCCESS for exactly that serviceId, and the victim service's job is byte-for-byte unchanged;
 * - every dashboard uid is a valid Grafana uid and every PromQL expression parses.
 * At the end a plain valid request still succeeds (the consumer is alive).
 */
import { expect } from 'chai'
import fc from 'fast-check'
import { randomUUID } from 'node:crypto'
import { DEFAULT_DEAD_LETTER_TOPIC, RequestTopics, ResultTopics } from '../../../src/codecs/topics.js'
import { publish } from '../../support/kafka-helpers.js'
import { jobsOf, resultsByRef, statusOf, type ScrapeJob } from '../../support/invariants.js'
import { checkPromqlWithPromtool, checkScrapeConfigsWithPromtool } from '../../support/promtool.js'
import { recordFigures } from './figures.js'
import { sleep } from '../../support/wait.js'
import { createRequest } from '../../support/request-builders.js'
import { awaitOutcomes } from './scenario.js'
import { useHarness } from '../../support/harness-hooks.js'

const VICTIM = 'victim-svc'
const RUNS = 8
const PER_RUN = 40
const MAX_MESSAGE_BYTES = 65_536

const INJECTIONS = [
  `x\n- job_name: injected\n  static_configs: [{targets: ["6.6.6.6:1"]}]`,
  `${VICTIM}\n  static_configs: [{targets: ["6.6.6.6:1"]}]`,
  `"}, {__name__=~".+`,
  `ns"} or vector(1) #`,
  `.*`,
  `a|b`,
  `(?i)x`,
  `\\`,
  `'`,
  `"`,
  '`',
  '${HOME}',
  '{{7*7}}',
  '&a',
  '*a',
  '!!js/function',
  '---',
  '# c',
  'k: v',
  `${VICTIM} `,
  ` ${VICTIM}`,
  `${VICTIM}\n`,
  '\u0000',
  '\u2028',
  '\uFEFF',
  'ﬀ',
  '𝔘𝔫𝔦',
  '..',
  '-',
  '_',
  'A'.repeat(300),
  '{namespace=~".+"}',
  '$__rate_interval',
  '})',
  '[5m]',
  'job_name',
  'tcm-victim-svc',
  '../../api/admin',
]

const hostileString = fc.oneof(
  fc.constantFrom(...INJECTIONS),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.stringMatching(/^[A-Za-z0-9_.-]{1,30}$/),
  fc.tuple(fc.stringMatching(/^[a-z0-9]{1,8}$/), fc.constantFrom(...INJECTIONS)).map(([a, b]) => a + b),
)
const validishServiceId = fc.stringMatching(/^fz[A-Za-z0-9_.-]{1,20}$/)
const serviceId = fc.oneof({ weight: 3, arbitrary: validishServiceId }, { weight: 2, arbitrary: hostileString.filter((s) => s !== VICTIM) })
const namespace = fc.oneof({ weight: 6, arbitrary: fc.stringMatching(/^[A-Za-z0-9_.-]{1,40}$/) }, { weight: 1, arbitrary: hostileString })
const deep = fc.nat({ max: 3 }).map((kind) => {
  let v: unknown = 'bottom'
  for (let i = 0; i < 3000; i++) v = kind % 2 === 0 ? [v] : { n: v }
  return v
})
const scalarJunk = fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null), hostileString, fc.array(hostileString, { maxLength: 3 }))

const payloadOf = (topic: string) =>
  fc
    .record({
      serviceId: fc.oneof({ weight: 9, arbitrary: serviceId }, { weight: 1, arbitrary: scalarJunk }),
      namespaces: fc.oneof(
        { weight: 8, arbitrary: fc.array(namespace, { minLength: 1, maxLength: 4 }) },
        { weight: 1, arbitrary: deep },
        { weight: 1, arbitrary: scalarJunk },
      ),
      prometheus: fc.oneof(
        {
          weight: 6,
          arbitrary: fc.record({
            host: fc.oneof({ weight: 4, arbitrary: fc.constantFrom('10.1.2.3', 'prom.example', '::1', '[fe80::1]') }, { weight: 1, arbitrary: hostileString }),
            port: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 65535 }) }, { weight: 1, arbitrary: scalarJunk }),
          }),
        },
        { weight: 1, arbitrary: deep },
      ),
      serviceName: fc.oneof(hostileString, fc.string({ unit: 'grapheme', maxLength: 80 })),
      extra: fc.oneof(fc.constant(undefined), deep, scalarJunk),
    })
    .map((d) => (topic === RequestTopics.delete ? { serviceId: d.serviceId, extra: d.extra } : d))

const message = fc.constantFrom(...Object.values(RequestTopics)).chain((topic) =>
  fc.record({
    topic: fc.constant(topic),
    oversized: fc.boolean().map((b) => b && Math.random() < 0.1),
    envelope: fc.record({
      specversion: fc.oneof({ weight: 9, arbitrary: fc.constant('1.0') }, { weight: 1, arbitrary: scalarJunk }),
      id: fc.oneof({ weight: 9, arbitrary: fc.uuid() }, { weight: 1, arbitrary: scalarJunk }),
      source: fc.oneof(fc.constant('/process/serviceTelemetryProcess'), hostileString),
      type: fc.oneof({ weight: 9, arbitrary: fc.constant(topic) }, { weight: 1, arbitrary: hostileString }),
      time: fc.oneof(fc.constant('2024-10-30T11:28:34.161962096+02:00'), hostileString),
      kogitoprocid: hostileString,
      kogitoprocist: hostileString,
    }),
    data: payloadOf(topic),
  }),
)

describe('reliability: property-based hostile input (fast-check) end to end', function () {
  this.timeout(240_000)
  let victimJob: ScrapeJob | undefined

  const ctx = useHarness({
    harness: { env: { MAX_MESSAGE_BYTES: String(MAX_MESSAGE_BYTES) } },
    topics: [...Object.values(ResultTopics), DEFAULT_DEAD_LETTER_TOPIC],
  })
  before(async () => {
    const victim = createRequest(VICTIM, ['victim-ns'])
    await publish(RequestTopics.create, [{ key: VICTIM, value: JSON.stringify(victim) }])
    await awaitOutcomes(ctx.results, [victim])
    victimJob = jobsOf(ctx.harness.stack.scrapeConfigs()).find((j) => j.job_name === VICTIM)
  })

  it(`${RUNS} runs x ${PER_RUN} generated messages: nothing crashes, nothing invalid or foreign reaches the secret`, async () => {
    const startedAt = Date.now()
    expect(victimJob, 'victim job').to.exist
    const succeededCreates = new Set<string>([VICTIM])
    let inputs = 0
    let deadLettered = 0
    let promtoolRuns = 0
    await fc.assert(
      fc.asyncProperty(fc.array(message, { minLength: PER_RUN, maxLength: PER_RUN }), async (batch) => {
        const sent = batch.map((m) => {
          const procInstance = randomUUID()
          const body: Record<string, unknown> = { ...m.envelope, kogitoprocinstanceid: procInstance, data: m.data }
          if (m.oversized) body['padding'] = 'p'.repeat(MAX_MESSAGE_BYTES + 10)
          const value = Buffer.from(JSON.stringify(body), 'utf8')
          const key = typeof m.data.serviceId === 'string' ? m.data.serviceId : 'junk'
          return { topic: m.topic, key, value, procInstance, data: m.data }
        })
        inputs += sent.length
        for (const topic of Object.values(RequestTopics)) {
          const own = sent.filter((s) => s.topic === topic)
          if (own.length > 0)
            await publish(
              topic,
              own.map(({ key, value }) => ({ key, value })),
            )
        }
        // every message handled: a result for its process instance or a dead letter with its bytes
        const deadline = Date.now() + 60_000
        const handled = () => {
          const refs = resultsByRef(ctx.results.messages)
          const letters = new Set(
            ctx.results.messages
              .filter((m) => m.topic === DEFAULT_DEAD_LETTER_TOPIC)
              .map((m) => String((JSON.parse(m.value?.toString('utf8') ?? '{}') as { valueBase64?: string }).valueBase64)),
          )
          return sent.map((s) => ({ s, answer: refs.get(s.procInstance)?.[0], lettered: letters.has(s.value.toString('base64')) }))
        }
        while (handled().some((h) => h.answer === undefined && !h.lettered)) {
          if (Date.now() > deadline) throw new Error(`unhandled messages: ${handled().filter((h) => h.answer === undefined && !h.lettered).length}`)
          await sleep(100)
        }
        await sleep(300) // a result that follows a dead letter, and the secret write of an accepted create
        for (const h of handled()) {
          if (h.lettered) deadLettered += 1
          if (h.s.topic === RequestTopics.create && !h.lettered && h.answer !== undefined && statusOf(h.answer) === 'SUCCESS')
            succeededCreates.add(String(h.s.data.serviceId))
        }

        const yaml = ctx.harness.stack.scrapeConfigs()
        const check = await checkScrapeConfigsWithPromtool(yaml ?? '')
        promtoolRuns += 1
        expect(check.ok, check.output).to.equal(true)
        const jobs = jobsOf(yaml)
        const names = jobs.map((j) => j.job_name)
        expect(new Set(names).size, 'duplicate job_name').to.equal(names.length)
        for (const job of jobs) {
          expect(succeededCreates.has(job.job_name), `job ${JSON.stringify(job.job_name)} without a successful create`).to.equal(true)
          const statics = job['static_configs'] as Array<{ targets: string[]; labels: Record<string, string> }>
          expect(statics).to.have.length(1)
          expect(statics[0]?.targets).to.have.length(1)
          expect(statics[0]?.labels['serviceId']).to.equal(job.job_name)
        }
        expect(JSON.stringify(jobs.find((j) => j.job_name === VICTIM))).to.equal(JSON.stringify(victimJob))

        const dashboards = ctx.harness.stack.grafana.dashboards()
        for (const d of dashboards) expect(d.uid).to.match(/^[A-Za-z0-9_-]{1,40}$/)
        const exprs = dashboards.flatMap((d) =>
          ((d.model['panels'] ?? []) as Array<{ targets?: Array<{ expr?: string }> }>).flatMap((p) =>
            (p.targets ?? []).flatMap((t) => (t.expr === undefined ? [] : [t.expr])),
          ),
        )
        const promql = exprs.filter((e) => !e.trimStart().startsWith('{')).map((e) => e.replace(/\$__rate_interval/g, '5m'))
        const rules = await checkPromqlWithPromtool(promql.length > 0 ? promql : ['up'])
        expect(rules.ok, rules.output).to.equal(true)
      }),
      { numRuns: RUNS, endOnFailure: true },
    )

    // the consumer is alive and the partition is not blocked
    const canary = createRequest('fz-canary-after', ['ns-ok'])
    await publish(RequestTopics.create, [{ key: 'fz-canary-after', value: JSON.stringify(canary) }])
    await awaitOutcomes(ctx.results, [canary])
    const canaryResult = resultsByRef(ctx.results.messages).get(canary.kogitoprocinstanceid)?.[0]
    expect(canaryResult && statusOf(canaryResult)).to.equal('SUCCESS')
    const yaml = ctx.harness.stack.scrapeConfigs()
    const final = await checkScrapeConfigsWithPromtool(yaml ?? '')
    const names = jobsOf(yaml).map((j) => j.job_name)
    recordFigures({
      scenario: 'hostile input: fast-check fuzzer over envelopes and payloads',
      requests: inputs + 2,
      faults: { 'hostile messages': inputs },
      inputs,
      lost: 0,
      duplicateJobs: names.length - new Set(names).size,
      promtool: final.ok ? 'pass' : 'FAIL',
      seconds: (Date.now() - startedAt) / 1000,
      notes: `${deadLettered} dead-lettered, ${succeededCreates.size - 1} generated creates accepted; promtool run after each of ${promtoolRuns} batches; victim job unchanged`,
    })
    expect(final.ok, final.output).to.equal(true)
  })
})
