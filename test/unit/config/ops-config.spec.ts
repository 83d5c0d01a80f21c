import { expect } from 'chai'
import { isLeft, isRight } from 'fp-ts/lib/Either.js'
import { loadReconcileOpsConfig, loadRedisOpsConfig } from '../../../src/config/ops-config.js'

describe('config/ops-config', () => {
  it('Redis only: the service defaults, no Kafka or Grafana needed', () => {
    const loaded = loadRedisOpsConfig({})
    expect(isRight(loaded) && loaded.right).to.deep.equal({ redis: { url: 'redis://127.0.0.1:6379', keyPrefix: 'tc:' } })
    const cluster = loadRedisOpsConfig({ REDIS_CLUSTER_NODES: '10.0.0.1:7000,10.0.0.2:7001', REDIS_KEY_PREFIX: 'x:' })
    expect(isRight(cluster) && cluster.right.redis.clusterNodes).to.deep.equal([
      { host: '10.0.0.1', port: 7000 },
      { host: '10.0.0.2', port: 7001 },
    ])
  })

  it('reports every problem at once, never echoing a secret', () => {
    const loaded = loadReconcileOpsConfig({
      REDIS_URL: 'http://x',
      GRAFANA_URL: 'ftp://g',
      GRAFANA_USER: 'u',
      SECRET_NAME: 'Bad_Name',
      GRAFANA_TIMEOUT_MS: '5',
    })
    if (!isLeft(loaded)) throw new Error('expected problems')
    expect(loaded.left.map((l) => l.split(':')[0])).to.deep.equal([
      'REDIS_URL',
      'SECRET_NAMESPACE',
      'SECRET_NAME',
      'GRAFANA_URL',
      'GRAFANA_PASSWORD',
      'GRAFANA_TIMEOUT_MS',
    ])
    const secret = loadReconcileOpsConfig({ SECRET_NAMESPACE: 'm', SECRET_NAME: 's', GRAFANA_URL: 'http://g', GRAFANA_TOKEN: 'tok\u0001en' })
    expect(isLeft(secret) && secret.left.join()).to.equal('GRAFANA_TOKEN: expected non-empty text')
  })

  it('reconcile: secret, Grafana and datasource settings with defaults', () => {
    const loaded = loadReconcileOpsConfig({
      SECRET_NAMESPACE: 'monitoring',
      SECRET_NAME: 'scrape',
      GRAFANA_URL: 'http://grafana:3000/',
      GRAFANA_TOKEN: 't',
      KUBECONFIG: '/k',
    })
    if (!isRight(loaded)) throw new Error(loaded.left.join())
    expect(loaded.right.scrape).to.deep.equal({ backend: 'secret', secret: { namespace: 'monitoring', name: 'scrape', key: 'prometheus-additional.yaml' } })
    expect(loaded.right.kube).to.deep.equal({ kubeconfigPath: '/k' })
    expect(loaded.right.grafana).to.deep.equal({
      url: 'http://grafana:3000',
      auth: { token: 't' },
      prometheusDatasourceUid: 'prometheus',
      lokiDatasourceUid: 'loki',
      timeoutMs: 10_000,
      retries: 4,
      maxConcurrency: 32,
      api: 'auto',
      namespace: 'default',
    })
  })
})
