import { expect } from 'chai'
import type { PendingRequest } from '../../../../src/codecs/snapshot.js'
import { scrapeConfigOf } from '../../../../src/effects/kube/scrapeconfig/scrape-config-of.js'
import { federationJob, jobFingerprint } from '../../../../src/effects/prometheus/scrape-job.js'
import {
  formatMigrate,
  migrateExitCode,
  migrateJson,
  planToScrapeConfig,
  planToSecret,
  summarize,
  type MigrateReport,
} from '../../../../src/ops/migrate/migrate-plan.js'
import { migrateCrashPointFromEnv } from '../../../../src/ops/migrate/migrate-crash-point.js'
import { initialServiceState, type ServiceState } from '../../../../src/state/service-state.js'

const ID = 'svc-1'
const job = federationJob({ serviceId: ID, namespaces: ['NAMESPACE_1'], host: '10.10.10.4', port: 30180 })
const other = federationJob({ serviceId: ID, namespaces: ['NAMESPACE_2'], host: '10.10.10.4', port: 30180 })
const options = { namespace: 'monitoring', extraLabels: {} }
const active: ServiceState = { ...initialServiceState(ID), status: 'active', version: 5, job: { jobName: ID, fingerprint: jobFingerprint(job) } }
const deleted: ServiceState = { ...active, status: 'deleted', job: null }
const busy: ServiceState = { ...active, pending: [{} as PendingRequest] }
const item = JSON.parse(JSON.stringify(job)) as unknown

describe('migrate-plan', () => {
  describe('planToScrapeConfig', () => {
    it('given an owned job the log agrees with and no ScrapeConfig, then move it', () => {
      expect(planToScrapeConfig(ID, item, active, undefined)).to.deep.equal({ kind: 'move', job })
    })
    it('given the same job already applied (a resumed run), then it is already there', () => {
      expect(planToScrapeConfig(ID, item, active, scrapeConfigOf(job, options))).to.deep.equal({ kind: 'already-there', job })
    })
    it('given an older ScrapeConfig of the service, then move (apply over it)', () => {
      expect(planToScrapeConfig(ID, item, active, scrapeConfigOf(other, options)).kind).to.equal('move')
    })
    it('given a deleted service, a never-created one, a busy one, then skip with the kind', () => {
      expect(planToScrapeConfig(ID, item, deleted, undefined)).to.include({ kind: 'skip', skip: 'deleted' })
      expect(planToScrapeConfig(ID, item, initialServiceState(ID), undefined)).to.include({ kind: 'skip', skip: 'deleted' })
      expect(planToScrapeConfig(ID, item, busy, undefined)).to.include({ kind: 'skip', skip: 'busy' })
    })
    it('given an item that is not the job shape, or not what the log recorded, then skip and name reconcile', () => {
      const bad = planToScrapeConfig(ID, { job_name: ID, static_configs: [] }, active, undefined)
      expect(bad).to.include({ kind: 'skip', skip: 'undecodable' })
      expect(bad.kind === 'skip' ? bad.reason : '').to.match(/run reconcile first/)
      expect(planToScrapeConfig(ID, JSON.parse(JSON.stringify(other)), active, undefined)).to.include({ kind: 'skip', skip: 'drift' })
    })
  })

  describe('planToSecret', () => {
    const resource = scrapeConfigOf(job, options)
    it('given an own ScrapeConfig and nothing in the secret, then move it', () => {
      expect(planToSecret(ID, resource, active, undefined)).to.deep.equal({ kind: 'move', job })
    })
    it('given the secret already owning the same job, then already there; a stale own copy is moved over', () => {
      expect(planToSecret(ID, resource, active, { owned: true, value: item }).kind).to.equal('already-there')
      expect(planToSecret(ID, resource, active, { owned: true, value: other }).kind).to.equal('move')
    })
    it('given a foreign job of the same name in the secret, a deleted service, a hand-edited object, then skip', () => {
      expect(planToSecret(ID, resource, active, { owned: false, value: item })).to.include({ kind: 'skip', skip: 'foreign' })
      expect(planToSecret(ID, resource, deleted, undefined)).to.include({ kind: 'skip', skip: 'deleted' })
      expect(planToSecret(ID, { ...resource, spec: { ...resource.spec, scrapeInterval: '5s' } as typeof resource.spec }, active, undefined)).to.include({
        kind: 'skip',
        skip: 'undecodable',
      })
    })
  })

  describe('summary, exit code and text', () => {
    const report = (over: Partial<MigrateReport>): MigrateReport => ({ to: 'scrapeconfig', dryRun: false, services: [], full: null, ...over })
    const moved = { serviceId: 'a', outcome: 'moved' } as const
    const there = { serviceId: 'b', outcome: 'already-there' } as const
    const skipped = { serviceId: 'c', outcome: 'skipped', kind: 'foreign', reason: "somebody else's" } as const

    it('counts each outcome and each skip reason', () => {
      const s = summarize(report({ services: [moved, there, skipped, { serviceId: 'd', outcome: 'failed', reason: 'x' }] }))
      expect(s).to.deep.include({ moved: 1, alreadyThere: 1, skipped: 1, failed: 1, left: 0 })
      expect(s.skippedBy).to.deep.include({ foreign: 1, deleted: 0 })
    })
    it('exit: 0 when all is in the target (or nothing to do), 1 on a skip, a failure or a full secret', () => {
      expect(migrateExitCode(report({}))).to.equal(0)
      expect(migrateExitCode(report({ services: [moved, there] }))).to.equal(0)
      expect(migrateExitCode(report({ services: [moved, skipped] }))).to.equal(1)
      expect(migrateExitCode(report({ to: 'secret', services: [moved, { serviceId: 'e', outcome: 'left', reason: 'full' }], full: 'full' }))).to.equal(1)
    })
    it('exit with --dry-run: 0 nothing would change, 2 something would (skips alone are not a change)', () => {
      expect(migrateExitCode(report({ dryRun: true }))).to.equal(0)
      expect(migrateExitCode(report({ dryRun: true, services: [skipped] }))).to.equal(0)
      expect(migrateExitCode(report({ dryRun: true, services: [{ serviceId: 'a', outcome: 'would-move' }] }))).to.equal(2)
      expect(migrateExitCode(report({ dryRun: true, services: [there] }))).to.equal(2)
    })
    it('the text lists what needs attention and ends with the counts; the JSON carries the summary', () => {
      const text = formatMigrate(report({ services: [moved, there, skipped] }))
      expect(text.split('\n')).to.deep.equal([
        "skipped        c (foreign object of the same name): somebody else's",
        'migrate --to scrapeconfig: moved 1, already there 1, skipped 1 (foreign object of the same name 1), failed 0',
      ])
      expect(formatMigrate(report({ dryRun: true, services: [{ serviceId: 'a', outcome: 'would-move' }] }))).to.match(
        /^would move {5}a\nmigrate --to scrapeconfig, dry run, nothing changed: would move 1/,
      )
      expect(formatMigrate(report({ to: 'secret', full: 'secret m/s is full', services: [{ serviceId: 'e', outcome: 'left', reason: 'full' }] }))).to.match(
        /STOPPED: secret m\/s is full; 1 job\(s\) stay as ScrapeConfigs/,
      )
      expect(migrateJson(report({ services: [moved] }))).to.deep.include({ to: 'scrapeconfig', dryRun: false, full: null })
    })
  })
})

describe('migrate-crash-point', () => {
  it('kills only at the named point, and is a no-op when unset or aimed at the service', () => {
    const kills: string[] = []
    const at = (env: Record<string, string>) => migrateCrashPointFromEnv(env, () => kills.push(JSON.stringify(env)))
    const armed = at({ TELEMETRY_CRASH_AT: 'migrate:after-apply:7' })
    for (let n = 1; n <= 10; n += 1) armed(`migrate:after-apply:${n}`)
    expect(kills).to.have.length(1)
    at({})('migrate:after-apply:1')
    at({ TELEMETRY_CRASH_AT: 'after-effect:registerJob' })('after-effect:registerJob')
    expect(kills).to.have.length(1)
  })
})
