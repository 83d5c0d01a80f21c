/**
 * Credentials never leave the process: with distinctive Grafana and Kubernetes tokens, a real
 * service process at LOG_LEVEL=debug is driven through every error path that carries a request
 * (Grafana 401/5xx/timeouts/resets, Kubernetes 401/403/5xx/resets, hostile messages), and neither
 * token (raw, base64 or as an Authorization header) may appear in its logs, in any result or in
 * the dead-letter topic.
 */
import { expect } from 'chai'
import { randomBytes } from 'node:crypto'
import { DEFAULT_DEAD_LETTER_TOPIC, RequestTopics, ResultTopics } from '../../../src/codecs/topics.js'
import { DEV_SECRET } from '../../../dev/dev-stack.js'
import { startKubeSimulator, type KubeSimulator } from '../../../dev/kube-simulator/index.js'
import { publish } from '../../support/kafka-helpers.js'
import { spawnService, type ServiceProcess } from '../../support/service-process.js'
import { faultCounts, recordCleanRun } from './figures.js'
import { createRequest, deleteRequest } from '../../support/request-builders.js'
import { awaitOutcomes, publishAll } from './scenario.js'
import { useHarness } from '../../support/harness-hooks.js'
import { sleep } from '../../support/wait.js'

const GRAFANA_TOKEN = `glsa_grafanaSECRET${randomBytes(8).toString('hex')}`
const KUBE_TOKEN = `kubeSECRET${randomBytes(8).toString('hex')}`

const leaksIn = (text: string): string[] =>
  [GRAFANA_TOKEN, KUBE_TOKEN].flatMap((token) => [token, Buffer.from(token).toString('base64'), `Bearer ${token}`]).filter((needle) => text.includes(needle))

describe('reliability: credentials are redacted from logs, results and dead letters', function () {
  this.timeout(120_000)
  let kube: KubeSimulator
  let service: ServiceProcess | undefined

  before(async () => {
    kube = await startKubeSimulator({ token: KUBE_TOKEN })
    kube.setSecret(DEV_SECRET.namespace, DEV_SECRET.name, { [DEV_SECRET.key]: '' })
  })
  const ctx = useHarness({
    harness: async () => ({
      grafana: { token: GRAFANA_TOKEN },
      env: { KUBECONFIG: await kube.writeKubeconfig(), GRAFANA_TIMEOUT_MS: '300', GRAFANA_RETRIES: '1' },
    }),
    service: false,
    topics: [...Object.values(ResultTopics), DEFAULT_DEAD_LETTER_TOPIC],
    beforeStop: () => service?.stop('SIGKILL', 1000),
  })
  after(async () => {
    await kube?.stop()
  })

  it('no token in debug logs, results or dead letters across every error path', async () => {
    const startedAt = Date.now()
    const grafana = ctx.harness.stack.grafana.faults
    service = spawnService(ctx.harness.stack.env, { LOG_LEVEL: 'debug' })
    await service.started
    // phase 1: Kubernetes refuses, fails and drops connections
    kube.faults.add({ kind: 'secret.put', effect: { type: 'status', status: 403 }, times: 2 })
    kube.faults.add({ kind: 'secret.get', effect: { type: 'status', status: 401 }, times: 2 })
    kube.faults.add({ kind: 'secret.put', effect: { type: 'status', status: 500 }, probability: 0.3 })
    kube.faults.add({ kind: 'secret.get', effect: { type: 'reset' }, probability: 0.2 })
    const phase1 = Array.from({ length: 20 }, (_, i) => createRequest(`rd-k-${i}`, ['NAMESPACE_1', 'ns.b']))
    await publishAll(phase1, { gapMs: 5 })
    await awaitOutcomes(ctx.results, phase1, 60_000)
    const kubeInjected = faultCounts({ kube: kube.faults })
    kube.faults.clear()
    // phase 2: Grafana refuses (401), fails, hangs and resets
    grafana.add({ kind: 'dashboard.upsert', effect: { type: 'status', status: 401 }, times: 5 })
    grafana.add({ kind: 'dashboard.upsert', effect: { type: 'status', status: 503 }, probability: 0.4 })
    grafana.add({ kind: 'folder.create', effect: { type: 'hang' }, probability: 0.1 })
    grafana.add({ kind: 'search', effect: { type: 'reset' }, probability: 0.5 })
    grafana.add({ kind: 'dashboard.delete', effect: { type: 'status', status: 502 }, probability: 0.5 })
    const phase2 = [
      ...Array.from({ length: 30 }, (_, i) => createRequest(`rd-g-${i}`, ['NAMESPACE_1', 'ns.b'])),
      ...Array.from({ length: 10 }, (_, i) => deleteRequest(`rd-g-${i}`)),
    ]
    await publishAll(phase2, { gapMs: 5 })
    // a hostile message with a token-like header, into the dead-letter path
    await publish(RequestTopics.create, [
      { key: 'rd-bad', value: '{"specversion":"1.0","id":"x","data":{"serviceId":"rd bad"}}', headers: { authorization: 'Bearer not-ours' } },
    ])
    await awaitOutcomes(ctx.results, phase2, 90_000)
    await sleep(500)
    const requests = [...phase1, ...phase2]
    const injected = faultCounts({ grafana }, kubeInjected)
    const logs = service.logText()
    const published = ctx.results.messages.map((m) => `${m.key ?? ''} ${m.value?.toString('utf8') ?? ''} ${JSON.stringify(m.headers)}`).join('\n')
    const leaks = { logs: leaksIn(logs), results: leaksIn(published) }
    const failures = ctx.results.messages.filter((m) => m.value?.toString('utf8').includes('"FAILURE"')).length
    recordCleanRun('security: token redaction (debug logs, ctx.results, dead letters)', startedAt, {
      requests: requests.length + 1,
      faults: injected,
      inputs: 0,
      notes: `${logs.length} bytes of debug log and ${ctx.results.messages.length} published records searched; ${failures} FAILURE results; leaks: ${leaks.logs.length + leaks.results.length}`,
    })
    expect(logs.length, 'the service logged something').to.be.greaterThan(1000)
    expect(failures, 'error paths were exercised').to.be.greaterThan(0)
    expect(leaks).to.deep.equal({ logs: [], results: [] })
  })
})
