/**
 * migrate: move the jobs the service owns from one scrape backend to the other without a scrape
 * gap. Each job is written to the target FIRST and removed from the source only once that write
 * succeeded, so at every moment it exists in at least one backend (Prometheus may briefly scrape
 * it twice, never zero times). A crash anywhere leaves jobs in both or one; re-running finishes
 * the move: apply is idempotent, an owned remove of an absent job is a no-op.
 *
 * The jobs go in chunks: a chunk's target writes run concurrently (SCRAPE_CONFIG_MAX_IN_FLIGHT),
 * then its secret edits are submitted together so the writer's group commit makes few PUTs of a
 * secret that may hold thousands of jobs. After a chunk the log is read again: a service deleted
 * meanwhile has its new copy taken back, so migrate never resurrects it.
 *
 * A chunk is planned and moved under its services' leases (operator-lease.ts), the one the running
 * service claims: the source is read again and each plan made on the log as it is then, a service
 * whose lease stays held is skipped as busy, one that got a request while its copy was written
 * has that copy taken back (it stays where it was), and the source copy is removed only if it is
 * still the job planned with (the secret edit's `expect` fingerprint; the ScrapeConfig read back
 * and compared), so a job a request changed is never removed.
 */
import { firstValueFrom, from, lastValueFrom, mergeMap, toArray } from 'rxjs'
import { isLeft } from 'fp-ts/lib/Either.js'
import type { ScrapeConfigResource } from '../../codecs/apis/scrape-config.js'
import type { SecretClient } from '../../effects/kube/secret/kube-secret-client.js'
import { ForeignScrapeConfigError, type ScrapeConfigApplier } from '../../effects/kube/scrapeconfig/scrape-config-applier.js'
import { listAndRecord, readScrapeSecret } from '../../effects/kube/secret/read-scrape-secret.js'
import type { ScrapeItem } from '../../effects/prometheus/scrape-config-list.js'
import { SERVICE_ID_ANNOTATION, isOwnScrapeConfig } from '../../effects/kube/scrapeconfig/scrape-config-of.js'
import type { ScrapeJob } from '../../effects/prometheus/scrape-job.js'
import { isSecretFull, type JobEditOutcome } from '../../effects/kube/secret/secret-batch-write.js'
import type { SecretWriter } from '../../effects/kube/secret/secret-writer.js'
import type { ServiceState } from '../../state/service-state.js'
import type { EventStore } from '../../state/store/event-store.js'
import { fingerprintInPlace } from '../../effects/prometheus/owned-list-edits.js'
import { canonicalJson } from '../../effects/prometheus/scrape-job.js'
import type { OperatorLease } from '../operator-lease.js'
import { planToScrapeConfig, planToSecret, type MigrateReport, type MigrateTarget, type Plan, type SecretHolding, type ServiceOutcome } from './migrate-plan.js'

export interface MigrateProgress {
  addTotal(n: number): void
  tick(n?: number): void
}

export interface MigrateDeps {
  readonly store: EventStore
  readonly secretClient: SecretClient
  readonly secretWriter: SecretWriter
  readonly applier: ScrapeConfigApplier
  /** concurrent ScrapeConfig calls (SCRAPE_CONFIG_MAX_IN_FLIGHT) */
  readonly maxInFlight: number
  /** the fault point `migrate:after-apply:<n>` (see migrate-crash-point.ts); a no-op in production */
  readonly crashAt: (point: string) => void
  readonly progress?: MigrateProgress
  /** each service's lease, claimed for the chunk it is moved in */
  readonly lease: OperatorLease
}

export interface MigrateOptions {
  readonly to: MigrateTarget
  readonly dryRun: boolean
  /** jobs per chunk; the secret edits of one chunk go in few PUTs */
  readonly chunkSize?: number
}

const CHUNK = 200

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error))

const mapLimit = <A, B>(items: readonly A[], limit: number, f: (a: A) => Promise<B>): Promise<B[]> =>
  items.length === 0
    ? Promise.resolve([])
    : lastValueFrom(
        from(items.map((a, i) => [a, i] as const)).pipe(
          mergeMap(async ([a, i]) => [await f(a), i] as const, limit),
          toArray(),
        ),
      ).then((pairs) => {
        const out = new Array<B>(items.length)
        for (const [b, i] of pairs) out[i] = b
        return out
      })

const chunksOf = <A>(items: readonly A[], size: number): A[][] => {
  const out: A[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

/** Every edit submitted before any answer, so the group commit carries them in one or few writes. */
const submitTogether = (writer: SecretWriter, edits: Parameters<SecretWriter['submit']>[0][]): Promise<JobEditOutcome[]> =>
  Promise.all(edits.map((edit) => firstValueFrom(writer.submit(edit))))

const deletedNow = (state: ServiceState, serviceId: string): boolean => state.status === 'deleted' || state.job === null || state.job.jobName !== serviceId

interface Candidate<S> {
  readonly serviceId: string
  readonly source: S
}

interface Planned<S> extends Candidate<S> {
  readonly plan: Plan
}

const planChunk = async <S>(deps: MigrateDeps, chunk: readonly Candidate<S>[], plan: (c: Candidate<S>, state: ServiceState) => Plan): Promise<Planned<S>[]> =>
  mapLimit(chunk, deps.maxInFlight, async (c) => ({ ...c, plan: plan(c, await deps.store.load(c.serviceId)) }))

/** The dry run's answer for a plan; for a move into ScrapeConfigs, a foreign object of the same name is looked up. */
const dryOutcome = async (deps: MigrateDeps, to: MigrateTarget, p: Planned<unknown>): Promise<ServiceOutcome> => {
  if (p.plan.kind === 'skip') return { serviceId: p.serviceId, outcome: 'skipped', kind: p.plan.skip, reason: p.plan.reason }
  if (p.plan.kind === 'already-there') return { serviceId: p.serviceId, outcome: 'already-there' }
  if (to === 'scrapeconfig' && (await deps.applier.read(p.serviceId)) === 'foreign') {
    return {
      serviceId: p.serviceId,
      outcome: 'skipped',
      kind: 'foreign',
      reason: `a ScrapeConfig of the same name exists and was not created by this service: left in the secret`,
    }
  }
  return { serviceId: p.serviceId, outcome: 'would-move' }
}

/** After a chunk: a service the log now says is deleted loses the copy this run made. */
const undoDeleted = async (deps: MigrateDeps, outcomes: ServiceOutcome[], undo: (serviceId: string) => Promise<void>): Promise<void> => {
  const moved = outcomes.map((o, i) => [o, i] as const).filter(([o]) => o.outcome === 'moved' || o.outcome === 'already-there')
  await mapLimit(moved, deps.maxInFlight, async ([o, i]) => {
    if (!deletedNow(await deps.store.load(o.serviceId), o.serviceId)) return
    try {
      await undo(o.serviceId)
      outcomes[i] = {
        serviceId: o.serviceId,
        outcome: 'skipped',
        kind: 'deleted',
        reason: `service ${o.serviceId} was deleted while migrating: the copy this run made was removed again`,
      }
    } catch (error) {
      outcomes[i] = {
        serviceId: o.serviceId,
        outcome: 'failed',
        reason: `service ${o.serviceId} was deleted while migrating and the copy this run made could not be removed: ${message(error)}`,
      }
    }
  })
}

const busyOutcome = (serviceId: string): ServiceOutcome => ({
  serviceId,
  outcome: 'skipped',
  kind: 'busy',
  reason: `the lease of service ${serviceId} is held (the running service is working on it): run migrate again`,
})

/** Requests accepted while the target copy was written: that copy goes again, the job stays where it was. */
const takeBackIfRequested = async (
  deps: MigrateDeps,
  outcomes: ServiceOutcome[],
  takeBack: (serviceId: string) => Promise<void>,
  from: MigrateTarget,
): Promise<void> => {
  const written = outcomes.map((o, i) => [o, i] as const).filter(([o]) => o.outcome === 'moved')
  await mapLimit(written, deps.maxInFlight, async ([o, i]) => {
    if ((await deps.store.load(o.serviceId)).pending.length === 0) return
    const stays = `a request for service ${o.serviceId} arrived while it was moved: the copy this run made was taken back, it stays in the ${from === 'scrapeconfig' ? 'ScrapeConfigs' : 'secret'}; run migrate again`
    try {
      await takeBack(o.serviceId)
      outcomes[i] = { serviceId: o.serviceId, outcome: 'skipped', kind: 'busy', reason: stays }
    } catch (error) {
      outcomes[i] = {
        serviceId: o.serviceId,
        outcome: 'failed',
        reason: `a request for service ${o.serviceId} arrived while it was moved and the copy this run made could not be taken back (it is in both; run migrate again): ${message(error)}`,
      }
    }
  })
}

/** The secret's list items and ownership record as read now; throws when either cannot be read. */
const readListAndRecord = async (client: SecretClient): Promise<{ readonly items: readonly ScrapeItem[]; readonly owned: ReadonlySet<string> }> => {
  const parts = listAndRecord(await readScrapeSecret(client))
  if (isLeft(parts)) throw new Error(parts.left)
  return parts.right
}

/** The owned items of the secret by job_name, as read now. */
const ownedItems = async (client: SecretClient): Promise<ReadonlyMap<string, unknown>> => {
  const { items, owned } = await readListAndRecord(client)
  const out = new Map<string, unknown>()
  for (const { jobName, value } of items) if (jobName !== undefined && owned.has(jobName) && !out.has(jobName)) out.set(jobName, value)
  return out
}

/** One chunk, its leases held: the secret read again, planned on the log as it is now, moved. */
const moveChunkToScrapeConfig = async (
  deps: MigrateDeps,
  held: readonly string[],
  busy: readonly string[],
  own: ReadonlyMap<string, ScrapeConfigResource>,
  countApply: () => number,
): Promise<ServiceOutcome[]> => {
  const items = await ownedItems(deps.secretClient)
  const gone = held.filter((id) => !items.has(id))
  const chunk = held.flatMap((serviceId) => (items.has(serviceId) ? [{ serviceId, source: items.get(serviceId) }] : []))
  const planned = await planChunk(deps, chunk, (c, state) => planToScrapeConfig(c.serviceId, c.source, state, own.get(c.serviceId)))
  // 1. the ScrapeConfigs first
  const outcomes: ServiceOutcome[] = await mapLimit(planned, deps.maxInFlight, async (p): Promise<ServiceOutcome> => {
    if (p.plan.kind === 'skip') return { serviceId: p.serviceId, outcome: 'skipped', kind: p.plan.skip, reason: p.plan.reason }
    if (p.plan.kind === 'already-there') return { serviceId: p.serviceId, outcome: 'already-there' }
    try {
      await deps.applier.apply(p.plan.job)
    } catch (error) {
      if (error instanceof ForeignScrapeConfigError)
        return { serviceId: p.serviceId, outcome: 'skipped', kind: 'foreign', reason: `${error.error.message}: left in the secret` }
      return { serviceId: p.serviceId, outcome: 'failed', reason: `applying its ScrapeConfig failed (still in the secret): ${message(error)}` }
    }
    deps.crashAt(`migrate:after-apply:${countApply()}`)
    return { serviceId: p.serviceId, outcome: 'moved' }
  })
  await takeBackIfRequested(deps, outcomes, async (serviceId) => void (await deps.applier.remove(serviceId)), 'secret')
  // 2. then out of the secret, the chunk's removals together, each only if it is still the job planned with
  const planOf = new Map(planned.map((p) => [p.serviceId, p.source]))
  const written = outcomes.map((o, i) => [o, i] as const).filter(([o]) => o.outcome === 'moved' || o.outcome === 'already-there')
  const removed = await submitTogether(
    deps.secretWriter,
    written.map(([o]) => ({ op: 'remove', jobName: o.serviceId, expect: fingerprintInPlace(planOf.get(o.serviceId)) })),
  )
  written.forEach(([o, i], k) => {
    const answer = removed[k]
    if (answer !== undefined && !answer.ok)
      outcomes[i] = {
        serviceId: o.serviceId,
        outcome: 'failed',
        reason: `its ScrapeConfig is in place but removing it from the secret failed (it is in both; run migrate again): ${answer.reason}`,
      }
  })
  await undoDeleted(deps, outcomes, async (serviceId) => {
    await deps.applier.remove(serviceId)
  })
  const removedMeanwhile = gone.map((serviceId): ServiceOutcome => ({
    serviceId,
    outcome: 'skipped',
    kind: 'deleted',
    reason: `service ${serviceId}'s job left the secret's ownership record meanwhile: not moved`,
  }))
  return [...outcomes, ...removedMeanwhile, ...busy.map(busyOutcome)]
}

const toScrapeConfig = async (deps: MigrateDeps, options: MigrateOptions): Promise<MigrateReport> => {
  const candidates: Candidate<unknown>[] = [...(await ownedItems(deps.secretClient))].map(([serviceId, source]) => ({ serviceId, source }))
  const own = new Map<string, ScrapeConfigResource>()
  for (const resource of await deps.applier.listOwn()) {
    const serviceId = resource.metadata.annotations?.[SERVICE_ID_ANNOTATION]
    if (serviceId !== undefined && isOwnScrapeConfig(resource, serviceId)) own.set(serviceId, resource)
  }
  deps.progress?.addTotal(candidates.length)
  const services: ServiceOutcome[] = []
  let applies = 0
  for (const chunk of chunksOf(candidates, options.chunkSize ?? CHUNK)) {
    if (options.dryRun) {
      const planned = await planChunk(deps, chunk, (c, state) => planToScrapeConfig(c.serviceId, c.source, state, own.get(c.serviceId)))
      services.push(...(await mapLimit(planned, deps.maxInFlight, (p) => dryOutcome(deps, 'scrapeconfig', p))))
      deps.progress?.tick(chunk.length)
      continue
    }
    services.push(
      ...(await deps.lease.holding(
        chunk.map((c) => c.serviceId),
        (held, busy) => moveChunkToScrapeConfig(deps, held, busy, own, () => (applies += 1)),
      )),
    )
    deps.progress?.tick(chunk.length)
  }
  return { to: 'scrapeconfig', dryRun: options.dryRun, services, full: null }
}

/** The secret's items by job_name, each marked as the service's own or not. */
const secretHoldings = async (client: SecretClient): Promise<ReadonlyMap<string, NonNullable<SecretHolding>>> => {
  const { items, owned } = await readListAndRecord(client)
  const held = new Map<string, NonNullable<SecretHolding>>()
  for (const { jobName, value } of items) if (jobName !== undefined && !held.has(jobName)) held.set(jobName, { owned: owned.has(jobName), value })
  return held
}

type Move = readonly [Planned<ScrapeConfigResource> & { plan: { kind: 'move'; job: ScrapeJob } }, number]

/** Removes the service's ScrapeConfig only if it is still the one planned with. */
const removeIfPlanned = async (deps: MigrateDeps, planned: ScrapeConfigResource): Promise<'removed' | 'changed' | 'foreign'> => {
  const serviceId = planned.metadata.annotations?.[SERVICE_ID_ANNOTATION] ?? planned.metadata.name
  const current = await deps.applier.read(serviceId)
  if (current === 'foreign') return 'foreign'
  if (current !== undefined && canonicalJson(current.spec) !== canonicalJson(planned.spec)) return 'changed'
  return (await deps.applier.remove(serviceId)) === 'foreign' ? 'foreign' : 'removed'
}

/** One chunk, its leases held: the secret read again, planned on the log as it is now, moved while it fits. */
const moveChunkToSecret = async (
  deps: MigrateDeps,
  chunk: readonly Candidate<ScrapeConfigResource>[],
  busy: readonly string[],
  fullBefore: string | null,
): Promise<{ outcomes: ServiceOutcome[]; full: string | null }> => {
  let full = fullBefore
  const holdings = await secretHoldings(deps.secretClient)
  const planned = await planChunk(deps, chunk, (c, state) => planToSecret(c.serviceId, c.source, state, holdings.get(c.serviceId)))
  const outcomes: ServiceOutcome[] = planned.map((p): ServiceOutcome => {
    if (p.plan.kind === 'skip') return { serviceId: p.serviceId, outcome: 'skipped', kind: p.plan.skip, reason: p.plan.reason }
    return { serviceId: p.serviceId, outcome: p.plan.kind === 'already-there' ? 'already-there' : 'moved' }
  })
  // 1. into the secret first, the chunk's upserts together, each over what was there when planned
  const upsertOf = ([p]: Move) => ({ op: 'upsert' as const, job: p.plan.job, expect: fingerprintInPlace(holdings.get(p.serviceId)?.value) })
  const moves = planned.map((p, i) => [p, i] as const).filter((pair): pair is Move => pair[0].plan.kind === 'move')
  const answers = await submitTogether(deps.secretWriter, moves.map(upsertOf))
  const refusedFull: Move[] = []
  moves.forEach((pair, k) => {
    const answer = answers[k]
    if (answer === undefined || answer.ok) return
    if (isSecretFull(answer)) refusedFull.push(pair)
    else
      outcomes[pair[1]] = { serviceId: pair[0].serviceId, outcome: 'failed', reason: `adding it to the secret failed (still a ScrapeConfig): ${answer.reason}` }
  })
  // the batch was refused as a whole: one by one, while they fit
  for (const move of refusedFull) {
    const [p, i] = move
    const answer: JobEditOutcome | undefined = full === null ? await firstValueFrom(deps.secretWriter.submit(upsertOf(move))) : undefined
    if (answer !== undefined && answer.ok) continue
    if (answer !== undefined && !answer.ok && !isSecretFull(answer)) {
      outcomes[i] = { serviceId: p.serviceId, outcome: 'failed', reason: `adding it to the secret failed (still a ScrapeConfig): ${answer.reason}` }
      continue
    }
    if (answer !== undefined && !answer.ok) full = answer.reason
    outcomes[i] = { serviceId: p.serviceId, outcome: 'left', reason: `not moved, the secret is full: ${full ?? ''}` }
  }
  const written = new Map(moves.map(([p]) => [p.serviceId, p.plan.job] as const))
  await takeBackIfRequested(
    deps,
    outcomes,
    async (serviceId) => {
      const job = written.get(serviceId)
      const answer = await firstValueFrom(
        deps.secretWriter.submit({ op: 'remove', jobName: serviceId, ...(job === undefined ? {} : { expect: fingerprintInPlace(job) }) }),
      )
      if (!answer.ok) throw new Error(answer.reason)
    },
    'scrapeconfig',
  )
  // 2. then the ScrapeConfigs of what is in the secret now, each only if it is still the one planned with
  const sources = new Map(planned.map((p) => [p.serviceId, p.source]))
  await mapLimit(
    outcomes.map((o, i) => [o, i] as const),
    deps.maxInFlight,
    async ([o, i]) => {
      const source = sources.get(o.serviceId)
      if ((o.outcome !== 'moved' && o.outcome !== 'already-there') || source === undefined) return
      try {
        const removed = await removeIfPlanned(deps, source)
        if (removed === 'foreign')
          outcomes[i] = {
            serviceId: o.serviceId,
            outcome: 'failed',
            reason: "in the secret now, but its ScrapeConfig was replaced by somebody else's object (left alone)",
          }
        if (removed === 'changed')
          outcomes[i] = {
            serviceId: o.serviceId,
            outcome: 'failed',
            reason: 'in the secret now, but its ScrapeConfig changed since it was planned (left alone: it is in both; run migrate again)',
          }
      } catch (error) {
        outcomes[i] = {
          serviceId: o.serviceId,
          outcome: 'failed',
          reason: `in the secret now, but removing its ScrapeConfig failed (it is in both; run migrate again): ${message(error)}`,
        }
      }
    },
  )
  await undoDeleted(deps, outcomes, async (serviceId) => {
    const answer = await firstValueFrom(deps.secretWriter.submit({ op: 'remove', jobName: serviceId }))
    if (!answer.ok) throw new Error(answer.reason)
  })
  return { outcomes: [...outcomes, ...busy.map(busyOutcome)], full }
}

const toSecret = async (deps: MigrateDeps, options: MigrateOptions): Promise<MigrateReport> => {
  const candidates: Candidate<ScrapeConfigResource>[] = []
  for (const resource of await deps.applier.listOwn()) {
    const serviceId = resource.metadata.annotations?.[SERVICE_ID_ANNOTATION]
    if (serviceId !== undefined && isOwnScrapeConfig(resource, serviceId)) candidates.push({ serviceId, source: resource })
  }
  deps.progress?.addTotal(candidates.length)
  const services: ServiceOutcome[] = []
  let full: string | null = null
  for (const chunk of chunksOf(candidates, options.chunkSize ?? CHUNK)) {
    if (full !== null) {
      const reason = full
      services.push(...chunk.map((c): ServiceOutcome => ({ serviceId: c.serviceId, outcome: 'left', reason: `not moved, the secret is full: ${reason}` })))
      deps.progress?.tick(chunk.length)
      continue
    }
    if (options.dryRun) {
      const held = await secretHoldings(deps.secretClient)
      const planned = await planChunk(deps, chunk, (c, state) => planToSecret(c.serviceId, c.source, state, held.get(c.serviceId)))
      services.push(...(await mapLimit(planned, deps.maxInFlight, (p) => dryOutcome(deps, 'secret', p))))
      deps.progress?.tick(chunk.length)
      continue
    }
    const before: string | null = full
    const moved: { outcomes: ServiceOutcome[]; full: string | null } = await deps.lease.holding(
      chunk.map((c) => c.serviceId),
      (held, busy) =>
        moveChunkToSecret(
          deps,
          chunk.filter((c) => held.includes(c.serviceId)),
          busy,
          before,
        ),
    )
    full = moved.full
    services.push(...moved.outcomes)
    deps.progress?.tick(chunk.length)
  }
  return { to: 'secret', dryRun: options.dryRun, services, full }
}

export const migrate = (deps: MigrateDeps, options: MigrateOptions): Promise<MigrateReport> =>
  options.to === 'scrapeconfig' ? toScrapeConfig(deps, options) : toSecret(deps, options)
