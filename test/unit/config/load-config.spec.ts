import { expect } from 'chai'
import { ok, problems } from './loaded.js'
import { loadConfig, redactConfig, type Config } from '../../../src/config/load-config.js'

const minimal = {
  KAFKA_BROKERS: 'kafka-0:9092, kafka-1:9092',
  SECRET_NAMESPACE: 'monitoring',
  SECRET_NAME: 'additional-scrape-configs',
  GRAFANA_URL: 'http://grafana.monitoring:3000/',
  GRAFANA_TOKEN: 'glsa_token',
}

describe('config/load-config', () => {
  it('lists every missing required variable at once', () => {
    expect(problems(loadConfig({}))).to.deep.equal([
      'KAFKA_BROKERS: required (comma-separated host:port list), not set',
      'GRAFANA_URL: required (http(s) URL without credentials, query or fragment), not set',
      'GRAFANA_TOKEN: required (or GRAFANA_USER and GRAFANA_PASSWORD), none set',
      'SECRET_NAMESPACE: required (Kubernetes namespace name (DNS-1123 label)), not set',
      'SECRET_NAME: required (Kubernetes object name (DNS-1123 subdomain)), not set',
    ])
  })

  it('applies every default', () => {
    expect(ok(loadConfig(minimal))).to.deep.equal({
      kafka: {
        brokers: ['kafka-0:9092', 'kafka-1:9092'],
        clientId: 'telemetry-client',
        groupId: 'telemetry-client',
        ssl: false,
        maxRecordBytes: 1_000_000,
        consumer: { sessionTimeout: 30_000, heartbeatInterval: 3_000, maxWaitTimeInMs: 5_000, rebalanceTimeout: 60_000 },
      },
      redis: { url: 'redis://127.0.0.1:6379', keyPrefix: 'tc:' },
      kube: {},
      scrape: { backend: 'secret', secret: { namespace: 'monitoring', name: 'additional-scrape-configs', key: 'prometheus-additional.yaml' } },
      grafana: {
        url: 'http://grafana.monitoring:3000',
        publicUrl: 'http://grafana.monitoring:3000',
        auth: { token: 'glsa_token' },
        prometheusDatasourceUid: 'prometheus',
        lokiDatasourceUid: 'loki',
        timeoutMs: 10000,
        retries: 4,
        maxConcurrency: 32,
        api: 'auto',
        namespace: 'default',
      },
      service: {
        sourceUri: '/telemetry-client',
        httpPort: 8080,
        logLevel: 'info',
        shutdownGraceMs: 25000,
        maxParallelServices: 1024,
        laneIdleMs: 30000,
        limits: {
          maxRequestBytes: 1048576,
          maxCloudEventIdBytes: 256,
          maxExtensionAttributeBytes: 1024,
          maxExtensionAttributes: 32,
          maxExtensionAttributesBytes: 4096,
          maxNamespaces: 64,
          maxJobBytes: 8192,
        },
        secretSizeWarnRatio: 0.8,
        deadLetterTopic: 'telemetry-dead-letter',
        leaseMs: 15_000,
        readiness: { fastIntervalMs: 3000, slowIntervalMs: 30_000 },
        hedgeMaxExtraRatio: 0.05,
      },
      targets: {},
      retention: { eventRetentionMs: 30 * 86_400_000, inboxRetentionMs: 14 * 86_400_000, deletedGraceMs: 7 * 86_400_000, intervalMs: 3_600_000 },
      patience: { requestDeadlineMs: 900_000, retryBaseDelayMs: 1000, retryMaxDelayMs: 60_000 },
    })
  })

  it('reads every optional variable', () => {
    const c = ok(
      loadConfig({
        ...minimal,
        KAFKA_SSL: 'yes',
        KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
        KAFKA_SASL_USERNAME: 'u',
        KAFKA_SASL_PASSWORD: 'p',
        REDIS_URL: 'rediss://:pw@redis:6380/0',
        REDIS_CLUSTER_NODES: 'r1:7000,[::1]:7001',
        KUBECONFIG: '/etc/kube/config',
        GRAFANA_PUBLIC_URL: 'https://grafana.example.org/',
        LOG_LEVEL: 'DEBUG',
        SECRET_SIZE_WARN_RATIO: '0.5',
        HTTP_PORT: '0',
        EMPTY_IS_UNSET: '',
        MAX_PARALLEL_SERVICES: '',
      }),
    )
    expect(c.kafka.ssl).to.be.true
    expect(c.kafka.sasl).to.deep.equal({ mechanism: 'scram-sha-512', username: 'u', password: 'p' })
    expect(c.redis.clusterNodes).to.deep.equal([
      { host: 'r1', port: 7000 },
      { host: '::1', port: 7001 },
    ])
    expect(c.kube.kubeconfigPath).to.equal('/etc/kube/config')
    expect(c.grafana.publicUrl).to.equal('https://grafana.example.org')
    expect(c.service).to.include({ logLevel: 'debug', secretSizeWarnRatio: 0.5, httpPort: 0, maxParallelServices: 1024 })
  })

  it('Grafana auth: a token, or user and password, never both, never half', () => {
    const { GRAFANA_TOKEN: _t, ...noToken } = minimal
    expect(ok(loadConfig({ ...noToken, GRAFANA_USER: 'admin', GRAFANA_PASSWORD: 'pw' })).grafana.auth).to.deep.equal({ user: 'admin', password: 'pw' })
    expect(problems(loadConfig({ ...noToken, GRAFANA_USER: 'admin' }))).to.deep.equal(['GRAFANA_PASSWORD: required when GRAFANA_USER is set'])
    expect(problems(loadConfig({ ...noToken, GRAFANA_PASSWORD: 'pw' }))).to.deep.equal(['GRAFANA_USER: required when GRAFANA_PASSWORD is set'])
    expect(problems(loadConfig({ ...minimal, GRAFANA_USER: 'admin', GRAFANA_PASSWORD: 'pw' }))).to.deep.equal([
      'GRAFANA_TOKEN: set either GRAFANA_TOKEN or GRAFANA_USER+GRAFANA_PASSWORD, not both',
    ])
  })

  it('Kafka SASL needs a mechanism, a user name and a password together', () => {
    expect(problems(loadConfig({ ...minimal, KAFKA_SASL_MECHANISM: 'plain' }))).to.deep.equal([
      'KAFKA_SASL_USERNAME: required when KAFKA_SASL_MECHANISM is set',
      'KAFKA_SASL_PASSWORD: required when KAFKA_SASL_MECHANISM is set',
    ])
    expect(problems(loadConfig({ ...minimal, KAFKA_SASL_USERNAME: 'u' }))).to.deep.equal([
      'KAFKA_SASL_MECHANISM: required when KAFKA_SASL_USERNAME or KAFKA_SASL_PASSWORD is set',
    ])
    expect(problems(loadConfig({ ...minimal, KAFKA_SASL_MECHANISM: 'gssapi', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }))).to.deep.equal([
      'KAFKA_SASL_MECHANISM: expected one of plain|scram-sha-256|scram-sha-512, got "gssapi"',
    ])
  })

  it('reports every bad value, naming the variable', () => {
    const bad = problems(
      loadConfig({
        ...minimal,
        KAFKA_BROKERS: 'kafka-0:9092,http://kafka-1:9092,',
        KAFKA_SSL: 'maybe',
        REDIS_URL: 'http://redis:6379',
        GRAFANA_URL: 'ftp://grafana',
        GRAFANA_TIMEOUT_MS: '10s',
        GRAFANA_RETRIES: '-1',
        HTTP_PORT: '70000',
        SHUTDOWN_GRACE_MS: '1e3',
        MAX_PARALLEL_SERVICES: '0',
        LANE_IDLE_MS: '3.5',
        MAX_MESSAGE_BYTES: '0x100000',
        SECRET_SIZE_WARN_RATIO: '1.5',
        HEDGE_MAX_EXTRA_RATIO: '-0.1',
        LOG_LEVEL: 'verbose',
        SECRET_NAMESPACE: 'Monitoring',
        REDIS_KEY_PREFIX: '{tc}:',
        DEAD_LETTER_TOPIC: 'sonata-service-dashboard-result',
      }),
    )
    expect(bad).to.deep.equal([
      'KAFKA_BROKERS: expected comma-separated host:port list, got "kafka-0:9092,http://kafka-1:9092,"',
      'GRAFANA_URL: expected http(s) URL without credentials, query or fragment, got "ftp://grafana"',
      'DEAD_LETTER_TOPIC: must not be a request or result topic, got "sonata-service-dashboard-result"',
      'KAFKA_SSL: expected boolean (true/false/1/0/yes/no), got "maybe"',
      'REDIS_URL: expected redis:// or rediss:// URL, got "http://redis:6379"',
      'REDIS_KEY_PREFIX: expected key prefix (1-64 characters, no whitespace or braces), got "{tc}:"',
      'SECRET_NAMESPACE: expected Kubernetes namespace name (DNS-1123 label), got "Monitoring"',
      'GRAFANA_TIMEOUT_MS: expected integer 100-600000, got "10s"',
      'GRAFANA_RETRIES: expected integer 0-20, got "-1"',
      'HTTP_PORT: expected integer 0-65535, got "70000"',
      'LOG_LEVEL: expected one of trace|debug|info|warn|error|fatal, got "verbose"',
      'SHUTDOWN_GRACE_MS: expected integer 0-600000, got "1e3"',
      'MAX_PARALLEL_SERVICES: expected integer 1-100000, got "0"',
      'LANE_IDLE_MS: expected integer 100-86400000, got "3.5"',
      'MAX_MESSAGE_BYTES: expected integer 1024-104857600, got "0x100000"',
      'SECRET_SIZE_WARN_RATIO: expected decimal ratio in (0, 1], got "1.5"',
      'HEDGE_MAX_EXTRA_RATIO: expected decimal in [0, 1], got "-0.1"',
    ])
  })

  it('limits at the door: one variable each; MAX_MESSAGE_BYTES still works as the deprecated name of MAX_REQUEST_BYTES', () => {
    const c = ok(
      loadConfig({
        ...minimal,
        MAX_CLOUDEVENT_ID_BYTES: '128',
        MAX_EXTENSION_ATTRIBUTE_BYTES: '512',
        MAX_NAMESPACES: '10',
        MAX_JOB_BYTES: '4096',
        KAFKA_MAX_RECORD_BYTES: '500000',
      }),
    )
    expect(c.service.limits).to.deep.equal({
      maxRequestBytes: 1048576,
      maxCloudEventIdBytes: 128,
      maxExtensionAttributeBytes: 512,
      maxExtensionAttributes: 32,
      maxExtensionAttributesBytes: 4096,
      maxNamespaces: 10,
      maxJobBytes: 4096,
    })
    expect(c.kafka.maxRecordBytes).to.equal(500_000)
    expect(ok(loadConfig({ ...minimal, MAX_MESSAGE_BYTES: '65536' })).service.limits.maxRequestBytes).to.equal(65536)
    expect(ok(loadConfig({ ...minimal, MAX_MESSAGE_BYTES: '65536', MAX_REQUEST_BYTES: '32768' })).service.limits.maxRequestBytes).to.equal(32768)
    expect(problems(loadConfig({ ...minimal, MAX_JOB_BYTES: '10', MAX_NAMESPACES: '0' }))).to.deep.equal([
      'MAX_NAMESPACES: expected integer 1-10000, got "0"',
      'MAX_JOB_BYTES: expected integer 256-1048576, got "10"',
    ])
  })

  it('redacts every secret for logging and leaves the rest readable', () => {
    const c = ok(
      loadConfig({
        ...minimal,
        KAFKA_SASL_MECHANISM: 'plain',
        KAFKA_SASL_USERNAME: 'u',
        KAFKA_SASL_PASSWORD: 'kafka-pw',
        REDIS_URL: 'redis://user:redis-pw@redis:6379',
      }),
    )
    const text = JSON.stringify(redactConfig(c))
    for (const secret of ['glsa_token', 'kafka-pw', 'redis-pw']) expect(text).not.to.include(secret)
    expect(redactConfig(c)).to.deep.include({ redis: { url: 'redis://user:***@redis:6379', keyPrefix: 'tc:' } })
    expect((redactConfig(c) as Config).grafana.auth).to.deep.equal({ token: '***' })
    expect((redactConfig(c) as Config).kafka.sasl).to.deep.equal({ mechanism: 'plain', username: 'u', password: '***' })
    const { GRAFANA_TOKEN: _t, ...noToken } = minimal
    const basic = ok(loadConfig({ ...noToken, GRAFANA_USER: 'admin', GRAFANA_PASSWORD: 'grafana-pw' }))
    expect((redactConfig(basic) as Config).grafana.auth).to.deep.equal({ user: 'admin', password: '***' })
    expect(c.grafana.auth.token).to.equal('glsa_token') // the config itself is untouched
  })
})
