/**
 * The local stack, one command: a real redis-server, librdkafka's mock Kafka cluster, the
 * Kubernetes and Grafana simulators, and the service itself as a separate process running the
 * compiled `telemetry-client run`, configured by the environment alone. Then the spec's samples
 * are published and what came out is printed: result messages, the scrape-config YAML (or the
 * ScrapeConfig objects, with SCRAPE_CONFIG_BACKEND=scrapeconfig), the dashboard URLs. Runs until Ctrl-C, or exits after the samples with --exit-after-samples.
 *
 * Real Prometheus servers too (local-prometheus.ts): the sample create points at a managed-cluster
 * Prometheus scraping a sample exporter, a central Prometheus follows what the service writes,
 * and the stack prints each metrics panel's current value and `telemetry-client verify`'s report
 * for the sample service: the numbers its dashboard shows.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { Kafka, logLevel, Partitioners } from 'kafkajs'
import { RequestTopics, ResultTopics } from '../src/codecs/topics.js'
import { yamlText } from '../src/effects/prometheus/yaml-text.js'
import { DEV_SCRAPE_CONFIG, startDevStack, type DevStack } from './dev-stack.js'
import { startOtlpReceiver, type OtlpReceiver } from './otlp-receiver.js'
import { startKafkaMock } from './kafka-mock.js'
import { describeExit, spawnOwned, type OwnedProcess } from './process-utils.js'
import { startRedisServer } from './redis-server.js'
import { followScrapeConfigs, panelValues, startLocalPrometheus } from './local-prometheus.js'
import { metricPanels } from '../src/effects/grafana/dashboards.js'
import { SAMPLE_SERVICE_ID, sampleCreateRequest, sampleDeleteRequest, samplePlatformRequest } from './sample-requests.js'

const say = (line = '') => process.stdout.write(`${line}\n`)
const section = (title: string) => say(`\n=== ${title} ${'='.repeat(Math.max(0, 70 - title.length))}`)

interface ResultWaiter {
  next(procInstance: string, timeoutMs: number): Promise<Record<string, unknown>>
  stop(): Promise<void>
}

/** Reads the result topics from the beginning; resolves results by kogitoprocrefid. */
const watchResults = async (kafka: Kafka): Promise<ResultWaiter> => {
  const seen = new Map<string, Record<string, unknown>>()
  const consumer = kafka.consumer({ groupId: `local-stack-${process.pid}`, sessionTimeout: 6000, heartbeatInterval: 500, maxWaitTimeInMs: 200 })
  await consumer.connect()
  await consumer.subscribe({ topics: Object.values(ResultTopics), fromBeginning: true })
  await consumer.run({
    eachMessage: ({ topic, message }) => {
      const value = JSON.parse(message.value?.toString('utf8') ?? '{}') as Record<string, unknown>
      const ref = value['kogitoprocrefid']
      if (typeof ref === 'string') seen.set(ref, { topic, ...value })
      return Promise.resolve()
    },
  })
  return {
    next: async (procInstance, timeoutMs) => {
      const deadline = Date.now() + timeoutMs
      while (Date.now() < deadline) {
        const found = seen.get(procInstance)
        if (found) return found
        await new Promise((r) => setTimeout(r, 100))
      }
      throw new Error(`no result for process instance ${procInstance} within ${timeoutMs} ms`)
    },
    stop: () => consumer.disconnect(),
  }
}

/** The request's spans as an indented tree (found by its CloudEvent id on the consumer span). */
const showTrace = async (receiver: OtlpReceiver, request: object) => {
  const id = 'id' in request ? request.id : undefined
  const consumer = () => receiver.spans.find((s) => s.attributes['cloudevents.event_id'] === id && s.kind === 5)
  const published = () => {
    const c = consumer()
    return c !== undefined && receiver.spans.some((s) => s.traceId === c.traceId && s.kind === 4)
  }
  await receiver.waitFor(published, 5000).catch(() => undefined)
  const found = consumer()
  if (found === undefined) return
  say(`trace ${found.traceId}:`)
  say(
    receiver
      .tree(found.traceId)
      .split('\n')
      .map((line) => `  ${line}`)
      .join('\n'),
  )
}

const printState = (stack: DevStack) => {
  section('scrape configs in the secret (monitoring/prometheus-additional-scrape-configs)')
  say(stack.scrapeConfigs()?.trimEnd() ?? '(secret missing)')
  const objects = stack.scrapeConfigObjects()
  if (objects.length > 0 || process.env['SCRAPE_CONFIG_BACKEND'] === 'scrapeconfig') {
    section(`ScrapeConfig objects in ${DEV_SCRAPE_CONFIG.namespace}`)
    if (objects.length === 0) say('(none)')
    // managedFields are the apiserver's bookkeeping: left out to keep the listing readable
    for (const o of objects) say(yamlText({ ...o, metadata: { ...(o['metadata'] as Record<string, unknown>), managedFields: undefined } }).trimEnd() + '\n---')
  }
  section('Grafana dashboards')
  const folders = new Map(stack.grafana.folders().map((f) => [f.uid, f.title]))
  const dashboards = stack.grafana.dashboards()
  if (dashboards.length === 0) say('(none)')
  for (const d of dashboards) say(`${folders.get(d.folderUid ?? '') ?? '(General)'} / ${d.title}\n    ${stack.grafana.url}${d.url}`)
}

/**
 * Each metrics panel's current value for the sample service, as its dashboard shows it (asked
 * through Grafana's data source proxy). A rate over a window the series has not filled yet reads
 * low, so this waits until every panel has data and holds still (the 20s window is full).
 */
const showPanels = async (stack: DevStack): Promise<void> => {
  section(`metrics panels of ${SAMPLE_SERVICE_ID} (central Prometheus, via Grafana's data source proxy)`)
  const panels = metricPanels(SAMPLE_SERVICE_ID, sampleCreateRequest.data.namespaces)
  const deadline = Date.now() + 60_000
  let values: ReadonlyArray<ReadonlyArray<readonly [string, number]>> = []
  const steady = (before: typeof values, after: typeof values): boolean =>
    after.every((v, i) => v.length > 0 && v.every(([, x], j) => Math.abs(x - (before[i]?.[j]?.[1] ?? Number.NaN)) <= Math.abs(x) * 0.01))
  say('(waiting until every panel has data and its 20s rate window is full ...)')
  let firstData: number | undefined
  while (Date.now() < deadline) {
    const next = await Promise.all(panels.map((p) => panelValues(stack, p.expr)))
    if (firstData === undefined && next.every((v) => v.length > 0)) firstData = Date.now()
    // the window fills 20s after the first samples; steady after that
    const done = firstData !== undefined && Date.now() - firstData > 22_000 && steady(values, next)
    values = next
    if (done) break
    await new Promise((r) => setTimeout(r, 2000))
  }
  panels.forEach((panel, i) => {
    const shown = (values[i] ?? []).map(
      ([namespace, value]) => `${namespace} ${Number.isInteger(value) ? value : value.toFixed(3)}${panel.unit === undefined ? '' : ` ${panel.unit}`}`,
    )
    say(`${panel.title.padEnd(30)} ${shown.length === 0 ? '(no data yet)' : shown.join(', ')}`)
  })
}

/** `telemetry-client verify` for the sample service, the compiled binary with the service's environment. */
const showVerify = async (env: Readonly<Record<string, string>>): Promise<void> => {
  section(`telemetry-client verify ${SAMPLE_SERVICE_ID} --rate-interval 20s`)
  // the local central Prometheus scrapes every second: a 20s rate window, as the panels above
  const run = spawnOwned(process.execPath, [resolve('dist/src/cli/main.js'), 'verify', SAMPLE_SERVICE_ID, '--rate-interval', '20s'], {
    env: { ...process.env, ...env },
    logLines: 200,
  })
  const status = await run.exited
  say(run.log.text().trimEnd())
  say(`(exit ${describeExit(status)})`)
}

const main = async (args: readonly string[]): Promise<number> => {
  const exitAfterSamples = args.includes('--exit-after-samples')
  const workDir = resolve('.stack')
  await mkdir(workDir, { recursive: true })
  say('starting redis-server, the Kafka mock cluster and the Kubernetes/Grafana simulators ...')
  const redis = await startRedisServer({ appendOnly: true })
  const kafkaMock = await startKafkaMock()
  say('starting a managed-cluster Prometheus (sample exporter) and a central Prometheus ...')
  const prometheus = await startLocalPrometheus()
  const sampleCluster = [...prometheus.clusters.values()][0]
  if (sampleCluster === undefined) throw new Error('the local Prometheus lab has no cluster')
  // an OTLP/HTTP receiver, so each sample's spans can be shown (unless the caller points the service at a real collector)
  const receiver = await startOtlpReceiver()
  const tracingEnv: Record<string, string> =
    process.env['OTEL_EXPORTER_OTLP_ENDPOINT'] === undefined
      ? { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_BSP_SCHEDULE_DELAY: '200' }
      : {}
  const stack = await startDevStack({
    redisUrl: redis.url,
    kafkaBrokers: kafkaMock.bootstrap,
    instance: 'local',
    // the Grafana simulator's data source proxy reaches the real central Prometheus
    grafana: {
      datasources: [
        { uid: 'prometheus', name: 'Prometheus', type: 'prometheus', url: prometheus.central.url },
        { uid: 'loki', name: 'Loki', type: 'loki' },
      ],
    },
    // loopback for the local managed cluster, and the private ranges of hand-made requests (10.10.10.4 ...)
    env: {
      KAFKA_SESSION_TIMEOUT_MS: '6000',
      KAFKA_HEARTBEAT_INTERVAL_MS: '500',
      KAFKA_MAX_WAIT_MS: '200',
      KAFKA_REBALANCE_TIMEOUT_MS: '6000',
      HTTP_PORT: '0',
      PROMETHEUS_TARGET_ALLOW: '127.0.0.0/8,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7',
      ...tracingEnv,
    },
  })
  // the service process takes SCRAPE_CONFIG_BACKEND from this process' environment
  const follower = followScrapeConfigs(stack, prometheus, process.env['SCRAPE_CONFIG_BACKEND'] ?? stack.env['SCRAPE_CONFIG_BACKEND'] ?? 'secret', say)
  const envFile = join(workDir, 'service.env')
  await writeFile(
    envFile,
    Object.entries(stack.env)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n') + '\n',
  )
  say(
    `  redis       ${redis.url}\n  kafka       ${kafkaMock.bootstrap}\n  kubernetes  ${stack.kube.url}\n  grafana     ${stack.grafana.url}\n  service env ${envFile}`,
  )
  say(`  prometheus  central ${prometheus.central.url}, managed cluster ${sampleCluster.prometheus.url} (sample exporter ${sampleCluster.exporter.address})`)

  const logFile = join(workDir, 'service.log')
  const service: OwnedProcess = spawnOwned(process.execPath, [resolve('dist/src/cli/main.js'), 'run'], { env: { ...process.env, ...stack.env }, logLines: 200 })
  const { createWriteStream } = await import('node:fs')
  const log = createWriteStream(logFile)
  service.child.stdout?.pipe(log)
  service.child.stderr?.pipe(log)
  say(`  service     pid ${service.pid}, logs in ${logFile}`)

  const kafka = new Kafka({ clientId: 'local-stack', brokers: [...kafkaMock.brokers], logLevel: logLevel.NOTHING })
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner })
  await producer.connect()
  const results = await watchResults(kafka)

  const shutdown = async () => {
    say('\nstopping ...')
    await results.stop().catch(() => undefined)
    await producer.disconnect().catch(() => undefined)
    const status = await service.stop('SIGTERM', 30_000)
    say(`service exited with ${describeExit(status)}`)
    follower.stop()
    await stack.stop()
    await prometheus.stop()
    await kafkaMock.stop()
    await redis.stop()
    await receiver.stop()
  }

  try {
    const publishAndShow = async (topic: string, request: { kogitoprocinstanceid: string; data: { serviceId: string } }) => {
      await producer.send({ topic, messages: [{ key: request.data.serviceId, value: JSON.stringify(request) }] })
      say(`published to ${topic} (serviceId ${request.data.serviceId})`)
      const result = await results.next(request.kogitoprocinstanceid, 60_000)
      say(`result on ${String(result['topic'])}:`)
      const { topic: _topic, ...envelope } = result
      say(JSON.stringify(envelope, null, 2))
      await showTrace(receiver, request)
    }
    section('create + platform-service samples')
    // the spec's sample, aimed at the local managed cluster instead of 10.10.10.4
    const create = { ...sampleCreateRequest, data: { ...sampleCreateRequest.data, prometheus: { host: sampleCluster.host, port: sampleCluster.port } } }
    await publishAndShow(RequestTopics.create, create)
    await publishAndShow(RequestTopics.platform, samplePlatformRequest)
    printState(stack)
    await follower.sync()
    await showPanels(stack)
    await showVerify(stack.env)
    section('delete sample')
    await publishAndShow(RequestTopics.delete, sampleDeleteRequest)
    printState(stack)
    await follower.sync()
  } catch (error) {
    say(`\nFAILED: ${error instanceof Error ? error.message : String(error)}\nservice log tail:\n${service.log.text()}`)
    await shutdown()
    return 1
  }

  if (exitAfterSamples) {
    await shutdown()
    return 0
  }
  section('running')
  say(`Publish more with e.g.:\n  kcat -P -b ${kafkaMock.bootstrap} -t ${RequestTopics.create} -k my-service <<< '<CloudEvent JSON>'`)
  say('Press Ctrl-C to stop.')
  await new Promise<void>((done) => {
    process.once('SIGINT', () => done())
    process.once('SIGTERM', () => done())
  })
  await shutdown()
  return 0
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`local stack failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    process.exit(1)
  },
)
