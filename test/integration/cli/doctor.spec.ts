/**
 * `telemetry-client doctor` against the simulators, real redis-servers and a Kafka mock of its
 * own (its topics are created and left missing on purpose, which the shared broker's other
 * specs must not see). Each check is made to fail once; every run proves nothing was changed.
 */
import { expect } from 'chai'
import { GRAFANA_13 } from '../../../dev/grafana-simulator/apis-discovery.js'
import { Kafka, logLevel } from 'kafkajs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { RequestTopics, ResultTopics } from '../../../src/codecs/topics.js'
import { Folders } from '../../../src/effects/grafana/folders.js'
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, SERVICE_ID_ANNOTATION } from '../../../src/effects/kube/scrapeconfig/scrape-config-of.js'
import { DEV_SCRAPE_CONFIG, DEV_SECRET, startDevStack, type DevStack } from '../../../dev/dev-stack.js'
import { startKubeSimulator, type KubeSimulatorOptions } from '../../../dev/kube-simulator/index.js'
import { startKafkaMock, type KafkaMockHandle } from '../../../dev/kafka-mock.js'
import { startRedisServer, type RedisServerHandle } from '../../../dev/redis-server.js'
import { checksOf, runCli, type CliRun, type JsonCheck } from '../../support/run-cli.js'

const statusOf = (checks: readonly JsonCheck[], name: string): string | undefined => checks.find((c) => c.name === name)?.status
const notOk = (checks: readonly JsonCheck[]): string[] => checks.filter((c) => c.status !== 'ok').map((c) => `${c.status} ${c.name}`)

const ALL_TOPICS = [...Object.values(RequestTopics), ...Object.values(ResultTopics)]
const MISSING_TOPIC = ResultTopics.platform
/** the secret's checks, in the order doctor runs them: the secret backend's, and the migration source in ScrapeConfig mode */
const SECRET_CHECKS = ['kube.permission get secret', 'kube.permission update secret', 'kube.secret', 'kube.secret-parse', 'kube.secret-size', 'kube.ownership']

describe('telemetry-client doctor', function () {
  this.timeout(60_000)
  let kafkaMock: KafkaMockHandle
  let safeRedis: RedisServerHandle
  let unsafeRedis: RedisServerHandle
  let stack: DevStack
  let kafka: Kafka

  const topics = async (): Promise<string[]> => {
    const admin = kafka.admin()
    await admin.connect()
    try {
      return await admin.listTopics()
    } finally {
      await admin.disconnect()
    }
  }
  /** the mock auto-creates a topic on first produce (admin createTopics does not work on it) */
  const createTopics = async (names: readonly string[]): Promise<void> => {
    const producer = kafka.producer({ allowAutoTopicCreation: true })
    await producer.connect()
    try {
      for (const topic of names) await producer.send({ topic, messages: [{ value: 'doctor-spec' }] })
    } finally {
      await producer.disconnect()
    }
  }
  const createFolders = async (): Promise<void> => {
    for (const folder of Object.values(Folders)) {
      const response = await fetch(`${stack.grafana.url}/api/folders`, {
        method: 'POST',
        headers: { authorization: `Bearer ${stack.grafana.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ uid: folder.uid, title: folder.title }),
      })
      expect(response.status).to.equal(200)
    }
  }
  const secretVersion = (): string | undefined => stack.kube.secret(DEV_SECRET.namespace, DEV_SECRET.name)?.resourceVersion
  const doctor = async (env: Readonly<Record<string, string>> = {}): Promise<{ run: CliRun; checks: readonly JsonCheck[] }> => {
    const versionBefore = secretVersion()
    const writesBefore = stack.kube.successfulWrites
    const dashboardsBefore = stack.grafana.dashboards().length
    const foldersBefore = stack.grafana.folders().length
    const r = await runCli(['doctor', '--json'], { ...stack.env, ...env })
    // it never changes anything
    expect(secretVersion()).to.equal(versionBefore)
    expect(stack.kube.successfulWrites).to.equal(writesBefore)
    expect(stack.grafana.dashboards().length).to.equal(dashboardsBefore)
    expect(stack.grafana.folders().length).to.equal(foldersBefore)
    return { run: r, checks: checksOf(r) }
  }

  before(async () => {
    ;[kafkaMock, safeRedis, unsafeRedis] = await Promise.all([
      startKafkaMock(),
      startRedisServer({ appendOnly: true, extraArgs: ['--maxmemory-policy', 'noeviction'] }),
      startRedisServer({ extraArgs: ['--appendonly', 'no', '--maxmemory-policy', 'allkeys-lru'] }),
    ])
    kafka = new Kafka({ clientId: 'doctor-spec', brokers: [...kafkaMock.brokers], logLevel: logLevel.NOTHING })
    stack = await startDevStack({ redisUrl: safeRedis.url, kafkaBrokers: kafkaMock.bootstrap, instance: 'doctor', initialScrapeConfigs: '[]\n' })
  })
  after(async () => {
    await Promise.all([stack.stop(), kafkaMock.stop(), safeRedis.stop(), unsafeRedis.stop()])
  })

  it('an absent topic fails (exit 1) and is not created', async () => {
    await createTopics(ALL_TOPICS.filter((t) => t !== MISSING_TOPIC))
    await createFolders()
    const { run: r, checks } = await doctor()
    expect(r.code).to.equal(1)
    expect(notOk(checks)).to.deep.equal([`fail kafka.topic ${MISSING_TOPIC}`, 'warning kafka.clock-offset'])
    expect(checks.find((c) => c.name === `kafka.topic ${RequestTopics.create}`)?.reason).to.match(/^present, \d+ partition\(s\)$/)
    expect(await topics()).not.to.include(MISSING_TOPIC)
  })

  it('a healthy stack: every check ok but the unmeasured clock offset, exit 0; the text form too', async () => {
    await createTopics([MISSING_TOPIC])
    const { run: r, checks } = await doctor()
    expect(r.code, r.stderr).to.equal(0)
    expect(notOk(checks)).to.deep.equal(['warning kafka.clock-offset'])
    expect(checks.map((c) => c.name)).to.include.members([
      'kafka.reachable',
      'redis.reachable',
      'redis.appendonly',
      'redis.appendfsync',
      'redis.maxmemory-policy',
      'kube.reachable',
      ...SECRET_CHECKS,
      'grafana.reachable',
      'grafana.credentials',
      'grafana.datasource Prometheus',
      'grafana.datasource Loki',
    ])
    expect(checks.find((c) => c.name === 'kube.secret-size')?.reason).to.match(/about \d+ more typical jobs/)
    expect(checks.find((c) => c.name === 'grafana.api')).to.include({
      status: 'ok',
      reason: 'apis (dashboard.grafana.app/v1, folder.grafana.app/v1, namespace default), chosen by discovery',
    })
    const text = await runCli(['doctor'], stack.env)
    expect(text.code).to.equal(0)
    expect(text.stdout).to.match(/^ok +kafka\.reachable: /m)
    expect(text.stdout).to.match(/^warning kafka\.clock-offset: not measured: .* → keep the hosts NTP-synchronised/m)
    expect(text.stdout).to.match(/\d+ ok, 1 warning\(s\), 0 failed\n$/)
  })

  it('GRAFANA_API=apis on a Grafana without /apis fails grafana.api; GRAFANA_API=legacy says it is set', async () => {
    stack.grafana.setApis(false)
    try {
      const { run: r, checks } = await doctor({ GRAFANA_API: 'apis' })
      expect(r.code).to.equal(1)
      expect(checks.find((c) => c.name === 'grafana.api')).to.include({ status: 'fail' })
      expect(checks.find((c) => c.name === 'grafana.api')?.reason).to.include('GRAFANA_API=apis')
      const legacy = await doctor({ GRAFANA_API: 'legacy' })
      expect(legacy.checks.find((c) => c.name === 'grafana.api')).to.include({ status: 'ok', reason: 'legacy (/api), set by GRAFANA_API=legacy' })
    } finally {
      stack.grafana.setApis(GRAFANA_13)
    }
  })

  it('a wrong Grafana token fails the credentials check', async () => {
    const { run: r, checks } = await doctor({ GRAFANA_TOKEN: 'not-the-token' })
    expect(r.code).to.equal(1)
    expect(statusOf(checks, 'grafana.reachable')).to.equal('ok')
    expect(checks.find((c) => c.name === 'grafana.credentials')).to.include({ status: 'fail', reason: 'refused (401)' })
  })

  it('a missing datasource uid fails', async () => {
    const { run: r, checks } = await doctor({ GRAFANA_LOKI_DATASOURCE_UID: 'no-such-loki' })
    expect(r.code).to.equal(1)
    expect(notOk(checks)).to.deep.equal(['warning kafka.clock-offset', 'fail grafana.datasource Loki'])
  })

  it('a missing permission (the access review denies get and update) fails', async () => {
    const kubeconfig = await stack.kube.writeKubeconfig(undefined, { token: stack.kube.forbiddenToken })
    const { run: r, checks } = await doctor({ KUBECONFIG: kubeconfig })
    expect(r.code).to.equal(1)
    expect(statusOf(checks, 'kube.reachable')).to.equal('ok')
    expect(statusOf(checks, 'kube.permission get secret')).to.equal('fail')
    expect(checks.find((c) => c.name === 'kube.permission update secret')?.action).to.contain('grant "update" on secrets/')
    expect(statusOf(checks, 'kube.secret')).to.equal('fail')
  })

  it('unsafe Redis settings (appendonly no, allkeys-lru) fail', async () => {
    const { run: r, checks } = await doctor({ REDIS_URL: unsafeRedis.url })
    expect(r.code).to.equal(1)
    expect(statusOf(checks, 'redis.appendonly')).to.equal('fail')
    expect(statusOf(checks, 'redis.maxmemory-policy')).to.equal('fail')
    expect(checks.find((c) => c.name === 'redis.maxmemory-policy')?.reason).to.match(/^allkeys-lru: /)
  })

  it('an absent secret fails', async () => {
    const missingSecret = await doctor({ SECRET_NAME: 'no-such-secret' })
    expect(missingSecret.run.code).to.equal(1)
    expect(missingSecret.checks.find((c) => c.name === 'kube.secret')?.action).to.match(/^create the secret/)
  })

  it('nothing reachable: one failure per system, at once, naming the cause', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tc-doctor-'))
    try {
      const kubeconfig = join(dir, 'kubeconfig')
      await writeFile(kubeconfig, stack.kube.kubeconfig().replace(stack.kube.url, 'https://127.0.0.1:9'))
      const started = Date.now()
      const r = await runCli(['doctor', '--json'], {
        ...stack.env,
        KAFKA_BROKERS: '127.0.0.1:9',
        REDIS_URL: 'redis://127.0.0.1:9',
        KUBECONFIG: kubeconfig,
        GRAFANA_URL: 'http://127.0.0.1:9',
      })
      expect(Date.now() - started).to.be.below(10_000)
      expect(r.code).to.equal(1)
      const checks = checksOf(r)
      expect(checks.map((c) => `${c.status} ${c.name}`)).to.deep.equal([
        'fail kafka.reachable',
        'fail redis.reachable',
        'fail kube.reachable',
        'fail grafana.reachable',
      ])
      expect(checks[1]?.reason).to.contain('ECONNREFUSED')
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('usage: --help exit 0, an unknown option exit 2, an invalid environment exit 1 listing every problem', async () => {
    const help = await runCli(['doctor', '--help'], {})
    expect(help.code).to.equal(0)
    expect(help.stdout).to.match(/^Usage: telemetry-client doctor \[--json\]/)
    expect((await runCli(['doctor', '--nope'], stack.env)).code).to.equal(2)
    const invalid = await runCli(['doctor'], { KAFKA_BROKERS: '127.0.0.1:9' })
    expect(invalid.code).to.equal(1)
    for (const name of ['SECRET_NAMESPACE', 'SECRET_NAME', 'GRAFANA_URL', 'GRAFANA_TOKEN']) expect(invalid.stderr).to.contain(`- ${name}:`)
  })

  it('missing folders are a warning (the service creates them), exit 0, and none is created', async () => {
    const grafana = await startDevStack({ redisUrl: safeRedis.url, kafkaBrokers: kafkaMock.bootstrap, instance: 'doctor-empty' })
    try {
      const r = await runCli(['doctor', '--json'], { ...stack.env, GRAFANA_URL: grafana.grafana.url, GRAFANA_TOKEN: grafana.grafana.token })
      expect(r.code, r.stdout).to.equal(0)
      const checks = checksOf(r)
      expect(notOk(checks)).to.deep.equal(['warning kafka.clock-offset', ...Object.values(Folders).map((f) => `warning grafana.folder ${f.title}`)])
      expect(checks.find((c) => c.name === `grafana.folder ${Folders.metrics.title}`)?.reason).to.contain('will be created')
      expect(grafana.grafana.folders()).to.have.length(0)
    } finally {
      await grafana.stop()
    }
  })

  describe('in scrapeconfig mode (SCRAPE_CONFIG_BACKEND=scrapeconfig)', () => {
    const SCRAPECONFIG_MODE = { SCRAPE_CONFIG_BACKEND: 'scrapeconfig' }
    const VERBS = ['get', 'list', 'create', 'patch', 'delete']
    const withoutSecret = (): Record<string, string> =>
      Object.fromEntries(Object.entries({ ...stack.env, ...SCRAPECONFIG_MODE }).filter(([k]) => !k.startsWith('SECRET_')))
    /** doctor against a Kubernetes simulator of its own (the stack's other systems stay) */
    const doctorOnKube = async (options: KubeSimulatorOptions): Promise<{ run: CliRun; checks: readonly JsonCheck[] }> => {
      const kube = await startKubeSimulator(options)
      try {
        const r = await runCli(['doctor', '--json'], { ...withoutSecret(), KUBECONFIG: await kube.writeKubeconfig() })
        expect(kube.successfulWrites).to.equal(0)
        return { run: r, checks: checksOf(r) }
      } finally {
        await kube.stop()
      }
    }

    it('a healthy stack: every ScrapeConfig permission, the API served and the own objects counted; the secret too, since SECRET_* are set', async () => {
      stack.kube.setScrapeConfig(DEV_SCRAPE_CONFIG.namespace, {
        metadata: { name: 'svc-doc-0', labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE }, annotations: { [SERVICE_ID_ANNOTATION]: 'svc-doc' } },
        spec: { jobName: 'svc-doc', staticConfigs: [{ targets: ['10.0.0.1:9090'] }] },
      })
      stack.kube.setScrapeConfig(DEV_SCRAPE_CONFIG.namespace, { metadata: { name: 'theirs' }, spec: { jobName: 'theirs' } })
      try {
        const { run: r, checks } = await doctor(SCRAPECONFIG_MODE)
        expect(r.code, r.stdout).to.equal(0)
        expect(notOk(checks)).to.deep.equal(['warning kafka.clock-offset'])
        const kube = checks.filter((c) => c.name.startsWith('kube.')).map((c) => c.name)
        expect(kube).to.deep.equal(['kube.reachable', ...VERBS.map((v) => `kube.permission ${v} scrapeconfigs`), 'kube.scrapeconfigs', ...SECRET_CHECKS])
        expect(checks.find((c) => c.name === 'kube.permission patch scrapeconfigs')?.reason).to.equal(
          'allowed on scrapeconfigs.monitoring.coreos.com in monitoring',
        )
        expect(checks.find((c) => c.name === 'kube.scrapeconfigs')?.reason).to.equal(
          'the ScrapeConfig API is served; 1 object(s) owned by this service in monitoring',
        )
      } finally {
        stack.kube.deleteScrapeConfig(DEV_SCRAPE_CONFIG.namespace, 'svc-doc-0')
        stack.kube.deleteScrapeConfig(DEV_SCRAPE_CONFIG.namespace, 'theirs')
      }
    })

    it('without SECRET_* no secret check runs; with an absent secret it is a warning (only migrate reads it), exit 0', async () => {
      const r = await runCli(['doctor', '--json'], withoutSecret())
      expect(r.code, r.stdout).to.equal(0)
      expect(checksOf(r).filter((c) => c.name.includes('secret'))).to.deep.equal([])
      const absent = await doctor({ ...SCRAPECONFIG_MODE, SECRET_NAME: 'no-such-secret' })
      expect(absent.run.code, absent.run.stdout).to.equal(0)
      expect(absent.checks.find((c) => c.name === 'kube.secret')).to.include({ status: 'warning' })
      expect(absent.checks.find((c) => c.name === 'kube.secret')?.reason).to.match(/\(scrapeconfig mode: only migrate reads the secret\)$/)
    })

    it('no permission on scrapeconfigs in SCRAPE_CONFIG_NAMESPACE (a Role elsewhere): each verb fails, and so does the list, exit 1', async () => {
      const { run: r, checks } = await doctorOnKube({ scrapeConfigNamespaces: ['elsewhere'] })
      expect(r.code).to.equal(1)
      expect(statusOf(checks, 'kube.reachable')).to.equal('ok')
      for (const verb of VERBS) expect(statusOf(checks, `kube.permission ${verb} scrapeconfigs`), verb).to.equal('fail')
      expect(checks.find((c) => c.name === 'kube.permission create scrapeconfigs')?.action).to.equal(
        'grant "create" on scrapeconfigs (apiGroup monitoring.coreos.com) in monitoring to the service account (a Role in SCRAPE_CONFIG_NAMESPACE)',
      )
      expect(checks.find((c) => c.name === 'kube.scrapeconfigs')).to.include({ status: 'fail' })
      expect(checks.find((c) => c.name === 'kube.scrapeconfigs')?.reason).to.match(/forbidden/i)
    })

    it("an apiserver without the ScrapeConfig CRD: the list is 404, which says to install the Prometheus Operator's CRD, exit 1", async () => {
      const { run: r, checks } = await doctorOnKube({ scrapeConfigCrd: false })
      expect(r.code).to.equal(1)
      expect(notOk(checks)).to.deep.equal(['warning kafka.clock-offset', 'fail kube.scrapeconfigs'])
      const crd = checks.find((c) => c.name === 'kube.scrapeconfigs')
      expect(crd?.reason).to.equal('monitoring: the apiserver does not serve monitoring.coreos.com/v1alpha1 scrapeconfigs (the CRD is not installed)')
      expect(crd?.action).to.match(/^install Prometheus Operator ≥ v0\.65 with the ScrapeConfig CRD/)
    })
  })
})
