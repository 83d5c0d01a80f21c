/**
 * The final invariant check of a fault scenario, reusable by any end-to-end spec.
 *
 * Why a model and not the service's own snapshots: the invariant must hold against what the
 * OUTSIDE world sees (results on Kafka, the secret, Grafana), so the expected end state is
 * derived from the requests and the results alone:
 * - every request has at least one result (matched on kogitoprocrefid), all copies identical;
 * - per service, replaying its outcomes in log order gives the live set: a create SUCCESS makes
 *   it live, a delete SUCCESS removes it; a create or platform FAILURE changes nothing (all or
 *   nothing: its side effects were taken back) unless its message says something is still in
 *   place; a delete FAILURE at its first step (job removal) or a "Superseded" FAILURE changes
 *   nothing; any other FAILURE leaves a partial state the model cannot predict, so that service
 *   is "uncertain" (a violation unless the scenario repaired it afterwards);
 * - the secret holds exactly one job per live service (plus the foreign jobs, unchanged) and
 *   promtool accepts it; Grafana holds exactly the two dashboards of each live service.
 */
import { expect } from 'chai'
import { load } from './yaml.js'
import { dashboardUid } from '../../src/effects/grafana/dashboard-uids.js'
import { STILL_IN_PLACE } from '../../src/state/decide.js'
import type { CollectedMessage } from './kafka-helpers.js'
import { checkScrapeConfigsWithPromtool, type PromtoolResult } from './promtool.js'

export type Status = 'SUCCESS' | 'FAILURE'

/** What a scenario sent, as far as the invariants care (the spec's request envelope). */
export interface SentRequest {
  readonly id: string
  readonly kogitoprocinstanceid: string
  readonly type: string
  readonly data: Readonly<Record<string, unknown>>
}

export interface ScrapeJob {
  readonly job_name: string
  readonly [field: string]: unknown
}

export interface InvariantInput {
  /** every request of the scenario; per serviceId in log order (the order outcomes must follow) */
  readonly requests: readonly SentRequest[]
  /** everything collected from the result topics (other requests' results are ignored) */
  readonly results: readonly CollectedMessage[]
  /** the secret key's value at the end */
  readonly scrapeConfigs: string | undefined
  /** Grafana's dashboards at the end */
  readonly dashboards: ReadonlyArray<{ readonly uid: string }>
  /** jobs another writer owns: each must be present exactly once and unchanged */
  readonly foreignJobs?: readonly ScrapeJob[]
  /** jobs not in the scenario's scope (e.g. an earlier test in the same file); default: none allowed */
  readonly ignoreJob?: (name: string) => boolean
  /** which status each request must have; any status when absent */
  readonly expectStatus?: (request: SentRequest) => Status | 'ANY'
}

export interface InvariantReport {
  readonly requests: number
  readonly lost: readonly string[]
  readonly inconsistentCopies: readonly string[]
  readonly wrongStatus: readonly string[]
  readonly duplicateJobs: readonly string[]
  readonly missingJobs: readonly string[]
  readonly extraJobs: readonly string[]
  readonly wrongJobs: readonly string[]
  readonly missingDashboards: readonly string[]
  readonly extraDashboards: readonly string[]
  readonly uncertain: readonly string[]
  readonly statusCounts: Readonly<Record<Status, number>>
  readonly live: readonly string[]
  readonly promtool: PromtoolResult
}

const CREATE = 'telemetry-create-prometheus-job-and-grafana-dashboard'
const DELETE = 'telemetry-delete-prometheus-job-and-grafana-dashboard'

const parse = (m: CollectedMessage): Record<string, unknown> => {
  try {
    const v = JSON.parse(m.value?.toString('utf8') ?? 'null') as unknown
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}

/** Result copies per kogitoprocrefid, in arrival order. */
export const resultsByRef = (results: readonly CollectedMessage[]): Map<string, CollectedMessage[]> => {
  const byRef = new Map<string, CollectedMessage[]>()
  for (const m of results) {
    const ref = parse(m)['kogitoprocrefid']
    if (typeof ref !== 'string') continue
    byRef.set(ref, [...(byRef.get(ref) ?? []), m])
  }
  return byRef
}

export const statusOf = (m: CollectedMessage): string => String((parse(m)['data'] as Record<string, unknown> | undefined)?.['dashboardDataOrderStatus'])
export const messageOf = (m: CollectedMessage): string => String((parse(m)['data'] as Record<string, unknown> | undefined)?.['dashboardDataOrderMessage'])

/** The secret's jobs; an empty or missing value is an empty list . */
export const jobsOf = (yaml: string | undefined): ScrapeJob[] =>
  yaml === undefined || yaml.trim() === '' ? [] : ((load(yaml) as ScrapeJob[] | null | undefined) ?? [])

// a delete that applied nothing: its first step failed, or it was older than a request already carried out
const NO_EFFECT_DELETE_FAILURE = /^(Failed while removing the Prometheus scrape job|Superseded: )/

/** A FAILURE that left the world as it was: a create/platform one unless it names what stayed (src/state/decide.ts STILL_IN_PLACE). */
const changedNothing = (request: SentRequest, message: string): boolean =>
  request.type === DELETE ? NO_EFFECT_DELETE_FAILURE.test(message) : !message.includes(STILL_IN_PLACE)

type Model = { readonly state: 'live'; readonly request: SentRequest } | { readonly state: 'gone' } | { readonly state: 'uncertain' }

/** The live set implied by the outcomes, per service. */
const modelOf = (requests: readonly SentRequest[], outcome: (r: SentRequest) => CollectedMessage | undefined): Map<string, Model> => {
  const model = new Map<string, Model>()
  for (const request of requests) {
    const serviceId = String(request.data['serviceId'])
    const before = model.get(serviceId) ?? { state: 'gone' }
    const result = outcome(request)
    if (result === undefined) {
      model.set(serviceId, { state: 'uncertain' })
      continue
    }
    const ok = statusOf(result) === 'SUCCESS'
    if (!ok && changedNothing(request, messageOf(result))) model.set(serviceId, before)
    else if (!ok) model.set(serviceId, { state: 'uncertain' })
    else if (request.type === CREATE) model.set(serviceId, { state: 'live', request })
    else if (request.type === DELETE) model.set(serviceId, { state: 'gone' })
  }
  return model
}

const countBy = (names: readonly string[]): Map<string, number> => {
  const counts = new Map<string, number>()
  for (const n of names) counts.set(n, (counts.get(n) ?? 0) + 1)
  return counts
}

/** The job a create request must have produced (only the fields a request controls). */
const jobMatches = (job: ScrapeJob, request: SentRequest): boolean => {
  const prometheus = request.data['prometheus'] as { host: string; port: number }
  const statics = job['static_configs'] as Array<{ targets?: string[]; labels?: Record<string, string> }> | undefined
  const match = (job['params'] as Record<string, string[]> | undefined)?.['match[]']
  return (
    statics?.length === 1 &&
    JSON.stringify(statics[0]?.targets) === JSON.stringify([`${prometheus.host}:${prometheus.port}`]) &&
    statics[0]?.labels?.['serviceId'] === request.data['serviceId'] &&
    match?.length === 1 &&
    (request.data['namespaces'] as string[]).every((ns) => match[0]?.includes(ns.replace(/\./g, '\\.')) ?? false)
  )
}

export const checkInvariants = async (input: InvariantInput): Promise<InvariantReport> => {
  const byRef = resultsByRef(input.results)
  const lost: string[] = []
  const inconsistentCopies: string[] = []
  const wrongStatus: string[] = []
  const statusCounts: Record<Status, number> = { SUCCESS: 0, FAILURE: 0 }
  for (const r of input.requests) {
    const copies = byRef.get(r.kogitoprocinstanceid) ?? []
    const first = copies[0]
    if (first === undefined) {
      lost.push(`${String(r.data['serviceId'])}/${r.id}`)
      continue
    }
    if (copies.some((c) => c.value?.equals(first.value ?? Buffer.alloc(0)) !== true)) inconsistentCopies.push(r.id)
    const status = statusOf(first)
    if (status === 'SUCCESS' || status === 'FAILURE') statusCounts[status] += 1
    const expected = input.expectStatus?.(r) ?? 'ANY'
    if (expected !== 'ANY' && status !== expected) wrongStatus.push(`${String(r.data['serviceId'])}: ${status} (${messageOf(first)})`)
  }

  const model = modelOf(input.requests, (r) => byRef.get(r.kogitoprocinstanceid)?.[0])
  const live = [...model].flatMap(([id, m]) => (m.state === 'live' ? [id] : []))
  const uncertain = [...model].flatMap(([id, m]) => (m.state === 'uncertain' ? [id] : []))
  const scoped = new Set(model.keys())

  const jobs = jobsOf(input.scrapeConfigs)
  const counts = countBy(jobs.map((j) => j.job_name))
  const duplicateJobs = [...counts].flatMap(([n, c]) => (c > 1 ? [n] : []))
  const foreign = new Map((input.foreignJobs ?? []).map((j) => [j.job_name, j]))
  const expectedNames = new Set([...live, ...foreign.keys()])
  const missingJobs = [...expectedNames].filter((n) => !counts.has(n))
  const extraJobs = [...counts.keys()].filter((n) => !expectedNames.has(n) && !uncertain.includes(n) && !(input.ignoreJob?.(n) ?? false))
  const wrongJobs: string[] = []
  for (const job of jobs) {
    const f = foreign.get(job.job_name)
    if (f !== undefined && JSON.stringify(job) !== JSON.stringify(f)) wrongJobs.push(job.job_name)
    const m = model.get(job.job_name)
    if (m?.state === 'live' && !jobMatches(job, m.request)) wrongJobs.push(job.job_name)
  }

  const uids = new Set(input.dashboards.map((d) => d.uid))
  const uidsOf = (id: string) => [dashboardUid(id, 'metrics'), dashboardUid(id, 'logs')]
  const missingDashboards = live.flatMap(uidsOf).filter((u) => !uids.has(u))
  const extraDashboards = [...scoped]
    .filter((id) => model.get(id)?.state === 'gone')
    .flatMap(uidsOf)
    .filter((u) => uids.has(u))

  const promtool = await checkScrapeConfigsWithPromtool(input.scrapeConfigs ?? '')
  return {
    requests: input.requests.length,
    lost,
    inconsistentCopies,
    wrongStatus,
    duplicateJobs,
    missingJobs,
    extraJobs,
    wrongJobs,
    missingDashboards,
    extraDashboards,
    uncertain,
    statusCounts,
    live,
    promtool,
  }
}

/** Fails with every broken invariant at once (the scenario's figures are recorded before this). */
export const assertInvariants = (report: InvariantReport, opts: { allowUncertain?: boolean } = {}): void => {
  const broken = {
    lost: report.lost,
    inconsistentCopies: report.inconsistentCopies,
    wrongStatus: report.wrongStatus,
    duplicateJobs: report.duplicateJobs,
    missingJobs: report.missingJobs,
    extraJobs: report.extraJobs,
    wrongJobs: report.wrongJobs,
    missingDashboards: report.missingDashboards,
    extraDashboards: report.extraDashboards,
    uncertain: opts.allowUncertain === true ? [] : report.uncertain,
  }
  const violations = Object.entries(broken)
    .filter(([, v]) => v.length > 0)
    .map(([k, v]) => `${k} (${v.length}): ${v.slice(0, 10).join(', ')}`)
  expect(violations, `invariants broken:\n${violations.join('\n')}`).to.deep.equal([])
  expect(report.promtool.ok, `promtool rejected the secret:\n${report.promtool.output}`).to.equal(true)
}
