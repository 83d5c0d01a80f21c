import { expect } from 'chai'
import { ok, problems } from './loaded.js'
import { configToEnv, KubeLabels } from '../../../src/config/config.js'
import { loadConfig } from '../../../src/config/load-config.js'

const base = { KAFKA_BROKERS: 'kafka-0:9092', GRAFANA_URL: 'http://grafana:3000', GRAFANA_TOKEN: 't' }

describe('config: SCRAPE_CONFIG_BACKEND and its settings', () => {
  it('defaults to the secret backend, which needs SECRET_NAMESPACE and SECRET_NAME', () => {
    expect(problems(loadConfig(base))).to.deep.equal([
      'SECRET_NAMESPACE: required (Kubernetes namespace name (DNS-1123 label)), not set',
      'SECRET_NAME: required (Kubernetes object name (DNS-1123 subdomain)), not set',
    ])
    expect(ok(loadConfig({ ...base, SECRET_NAMESPACE: 'monitoring', SECRET_NAME: 's' })).scrape).to.deep.equal({
      backend: 'secret',
      secret: { namespace: 'monitoring', name: 's', key: 'prometheus-additional.yaml' },
    })
  })

  it('scrapeconfig needs SCRAPE_CONFIG_NAMESPACE and not the secret', () => {
    expect(problems(loadConfig({ ...base, SCRAPE_CONFIG_BACKEND: 'scrapeconfig' }))).to.deep.equal([
      'SCRAPE_CONFIG_NAMESPACE: required (Kubernetes namespace name (DNS-1123 label)), not set',
    ])
    expect(
      ok(
        loadConfig({
          ...base,
          SCRAPE_CONFIG_BACKEND: 'ScrapeConfig',
          SCRAPE_CONFIG_NAMESPACE: 'monitoring',
          SCRAPE_CONFIG_LABELS: 'release=prometheus, team=hypo',
        }),
      ).scrape,
    ).to.deep.equal({
      backend: 'scrapeconfig',
      scrapeConfig: { namespace: 'monitoring', labels: { release: 'prometheus', team: 'hypo' }, maxInFlight: 16 },
    })
  })

  it("reads the other backend's settings when they are given (migrate and doctor use both)", () => {
    const both = ok(
      loadConfig({ ...base, SCRAPE_CONFIG_BACKEND: 'scrapeconfig', SCRAPE_CONFIG_NAMESPACE: 'monitoring', SECRET_NAMESPACE: 'monitoring', SECRET_NAME: 's' }),
    ).scrape
    expect(both.secret).to.deep.equal({ namespace: 'monitoring', name: 's', key: 'prometheus-additional.yaml' })
    expect(problems(loadConfig({ ...base, SCRAPE_CONFIG_BACKEND: 'scrapeconfig', SCRAPE_CONFIG_NAMESPACE: 'monitoring', SECRET_NAME: 's' }))).to.deep.equal([
      'SECRET_NAMESPACE: required (Kubernetes namespace name (DNS-1123 label)), not set',
    ])
  })

  it('refuses an unknown backend, bad labels and the managed-by label, naming the variable', () => {
    const found = problems(loadConfig({ ...base, SCRAPE_CONFIG_BACKEND: 'configmap', SECRET_NAMESPACE: 'monitoring', SECRET_NAME: 's' }))
    expect(found).to.deep.equal(['SCRAPE_CONFIG_BACKEND: expected one of secret|scrapeconfig, got "configmap"'])
    for (const labels of [
      'release',
      'release=',
      '=x',
      'a=b,a=c',
      'app.kubernetes.io/managed-by=me',
      'bad key=x',
      'x=-bad',
      `x=${'v'.repeat(64)}`,
      'Bad_Prefix/x=y',
    ]) {
      const bad = loadConfig({ ...base, SCRAPE_CONFIG_BACKEND: 'scrapeconfig', SCRAPE_CONFIG_NAMESPACE: 'monitoring', SCRAPE_CONFIG_LABELS: labels })
      if (labels === 'release=') {
        expect(ok(bad).scrape.scrapeConfig?.labels, labels).to.deep.equal({ release: '' })
        continue
      }
      expect(
        problems(bad).map((p) => p.split(':')[0]),
        labels,
      ).to.deep.equal(['SCRAPE_CONFIG_LABELS'])
    }
  })

  it('round-trips through configToEnv', () => {
    const config = ok(
      loadConfig({
        ...base,
        SCRAPE_CONFIG_BACKEND: 'scrapeconfig',
        SCRAPE_CONFIG_NAMESPACE: 'obs',
        SCRAPE_CONFIG_LABELS: 'prometheus.io/instance=central,release=prometheus',
        SCRAPE_CONFIG_MAX_IN_FLIGHT: '4',
      }),
    )
    expect(ok(loadConfig(configToEnv(config)))).to.deep.equal(config)
    expect(KubeLabels.encode({ a: 'b', 'x.io/c': '' })).to.equal('a=b,x.io/c=')
  })
})
