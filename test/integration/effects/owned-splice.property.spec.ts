/**
 * Property (issue #11 item 2): for any foreign list fast-check generates (block and flow items,
 * comments, anchors and aliases, any indentation, scalars YAML 1.2 would re-type) and any sequence
 * of the service's own edits, the foreign text is unchanged byte for byte and the result passes
 * `promtool check config`. The writer runs against an in-memory secret (the property is about the
 * splicing); the end-to-end path is in flows/ownership.spec.ts.
 */
import { expect } from 'chai'
import fc from 'fast-check'
import { isRight } from 'fp-ts/lib/Either.js'
import type { JobEdit } from '../../../src/effects/prometheus/owned-list-edits.js'
import { fragment, jobNameOf } from '../../../src/effects/prometheus/scrape-config-list.js'
import { loadScrapeConfigItems } from '../../support/rendered-scrape-list.js'
import { federationJob, type ScrapeJob } from '../../../src/effects/prometheus/scrape-job.js'
import { writeBatch, type BatchWriteDeps } from '../../../src/effects/kube/secret/secret-batch-write.js'
import { memorySecret } from '../../support/memory-secret.js'
import { checkScrapeConfigsWithPromtool } from '../../support/promtool.js'

const TRICKY = ['0123', '0x1F', '1e3', 'yes', 'no', '~', 'null', '"quoted"', "'single'", '12:30', '.inf', '-0', '+1']

interface ForeignItem {
  readonly flow: boolean
  readonly labels: readonly (readonly [string, string])[]
  readonly comment: string | null
  readonly gap: string
  readonly alias: boolean
}

const foreignItem: fc.Arbitrary<ForeignItem> = fc.record({
  flow: fc.boolean(),
  labels: fc.uniqueArray(fc.tuple(fc.constantFrom('team', 'code', 'tier', 'zone'), fc.constantFrom(...TRICKY)), { maxLength: 3, selector: ([k]) => k }),
  comment: fc.option(fc.constantFrom('# keep me', '#no space', '# yes: 0123')),
  gap: fc.constantFrom('', '\n', '# between items\n', '\n  # indented comment\n'),
  alias: fc.boolean(),
})

/** Renders another team's list by hand (never through a YAML dumper), at the given indentation. */
const renderForeign = (items: readonly ForeignItem[], indent: number): string => {
  const pad = ' '.repeat(indent)
  if (items.length === 0) return '# nothing here yet\n[]\n'
  return items
    .map((item, i) => {
      const labels =
        i === 0
          ? `&first {${item.labels.map(([k, v]) => `${k}: ${v}`).join(', ')}}`
          : item.alias
            ? '*first'
            : `{${item.labels.map(([k, v]) => `${k}: ${v}`).join(', ')}}`
      const comment = item.comment === null ? '' : `  ${item.comment}`
      const gap = item.gap.replace(/^(?=[ #])/gm, pad)
      return item.flow
        ? `${gap}${pad}- {job_name: 'foreign-${i}', static_configs: [{targets: ["10.0.0.${i + 1}:9100"], labels: ${labels}}]}${comment}\n`
        : `${gap}${pad}- job_name: foreign-${i}${comment}\n${pad}  scrape_interval: 30s\n${pad}  static_configs:\n${pad}  - targets: ['10.0.0.${i + 1}:9100']\n${pad}    labels: ${labels}\n`
    })
    .join('')
}

const ownedJob = (id: number, port: number): ScrapeJob => federationJob({ serviceId: `svc-${id}`, namespaces: [`ns-${port % 7}`], host: '10.9.0.1', port })
const ownedEdit: fc.Arbitrary<JobEdit> = fc.oneof(
  fc.record({ op: fc.constant('upsert' as const), job: fc.tuple(fc.nat(3), fc.integer({ min: 1, max: 65535 })).map(([id, port]) => ownedJob(id, port)) }),
  fc.record({ op: fc.constant('remove' as const), jobName: fc.nat(3).map((id) => `svc-${id}`) }),
)

const memoryDeps = (value: string): { deps: BatchWriteDeps; text: () => string } => {
  const secret = memorySecret(value)
  return {
    deps: { client: secret.client, describe: 'property', maxAttempts: 1, sleep: () => Promise.resolve(), random: () => 0, cache: undefined },
    text: () => secret.current().value ?? '',
  }
}

describe('splicing the shared list (property, promtool)', function () {
  this.timeout(60_000)

  it('keeps any foreign list byte for byte through any sequence of owned edits, and promtool accepts the result', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(foreignItem, { maxLength: 5 }),
        fc.constantFrom(0, 2),
        fc.array(fc.array(ownedEdit, { minLength: 1, maxLength: 3 }), { maxLength: 4 }),
        async (items, indent, batches) => {
          const foreign = renderForeign(items, indent)
          const { deps, text } = memoryDeps(foreign)
          const mine = new Map<string, ScrapeJob>()
          for (const batch of batches) {
            const { outcomes } = await writeBatch(batch, deps)
            expect(
              outcomes.every((o) => o.ok),
              JSON.stringify(outcomes),
            ).to.equal(true)
            for (const edit of batch)
              if (edit.op === 'upsert') mine.set(edit.job.job_name, edit.job)
              else mine.delete(edit.jobName)
          }
          const pad = ' '.repeat(items.length === 0 ? 0 : indent)
          const withoutMine = [...mine.values()].reduce((t, job) => t.replace(fragment(job).replace(/^(?=.)/gm, pad), ''), text())
          // an empty list's `[]` is the one foreign byte sequence that gives way to the first job (and comes back after the last)
          expect(withoutMine).to.equal(items.length === 0 && mine.size > 0 ? foreign.replace('[]\n', '') : foreign)
          const loaded = loadScrapeConfigItems(text())
          expect(isRight(loaded) ? loaded.right.map(jobNameOf) : loaded.left).to.deep.equal([...items.map((_, i) => `foreign-${i}`), ...mine.keys()])
          const promtool = await checkScrapeConfigsWithPromtool(text())
          expect(promtool.ok, `${promtool.output}\n${text()}`).to.equal(true)
        },
      ),
      { numRuns: 60 },
    )
  })
})
