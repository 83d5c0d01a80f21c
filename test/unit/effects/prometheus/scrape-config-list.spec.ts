import { expect } from 'chai'
import fc from 'fast-check'
import { dump } from '../../../support/yaml.js'
import { isLeft, isRight, type Either } from 'fp-ts/lib/Either.js'
import { parseScrapeList, type ParseError, type JobChange } from '../../../../src/effects/prometheus/scrape-config-list.js'
import { applyEdits, findJob, jobNames, parseScrapeConfigList, renderScrapeConfigList, type ScrapeConfigList } from '../../../support/rendered-scrape-list.js'
import { federationJob, type ScrapeJob } from '../../../../src/effects/prometheus/scrape-job.js'

const job = (serviceId: string, namespaces: readonly string[] = ['NS_1'], port = 9090): ScrapeJob =>
  federationJob({ serviceId, namespaces, host: '10.0.0.1', port })

const parsed = (text: string | undefined): ScrapeConfigList => {
  const result = parseScrapeConfigList(text)
  if (isLeft(result)) throw new Error(`expected Right, got Left: ${result.left.message}`)
  return result.right
}

const errorOf = (result: Either<ParseError, ScrapeConfigList>): string => {
  if (isRight(result)) throw new Error('expected Left, got Right')
  return result.left.message
}

const values = (list: ScrapeConfigList): unknown[] => list.entries.map((e) => e.value)
const roundTrip = (list: ScrapeConfigList): unknown[] => values(parsed(renderScrapeConfigList(list)))

/** Someone else's job with fields we do not know, to prove they survive our edits untouched. */
const FOREIGN = `- job_name: node-exporter
  scrape_interval: 15s
  basic_auth: {username: admin, password: "s3cr:et # not a comment"}
  static_configs:
    - targets: ['node:9100']
  x_unknown_field: {nested: [1, 2.5, true, null, "yes"]}
`

describe('scrape-config-list', () => {
  describe('parseScrapeConfigList', () => {
    it('given undefined, empty, blank, comment-only or null, then an empty list', () => {
      for (const text of [undefined, '', '  \n', '# nothing yet\n', 'null', '~', '[]']) {
        expect(parsed(text).entries, JSON.stringify(text)).to.deep.equal([])
      }
    })

    it('given invalid YAML, then Left naming the position but not quoting the content', () => {
      const message = errorOf(parseScrapeConfigList('- job_name: a\n  password: "s3cret\n'))
      expect(message)
        .to.match(/not valid YAML/)
        .and.match(/line \d+/)
      expect(message).to.not.include('s3cret')
    })

    it('given a mapping instead of a list, then Left', () => {
      expect(errorOf(parseScrapeConfigList('job_name: a\n'))).to.match(/must be a YAML list.*mapping/)
    })

    it('given a list item that is not a mapping, then Left naming the item', () => {
      expect(errorOf(parseScrapeConfigList('- job_name: a\n- just a string\n'))).to.match(/#2 must be a mapping/)
    })

    it('given several documents, then Left', () => {
      expect(errorOf(parseScrapeConfigList('- job_name: a\n---\n- job_name: b\n'))).to.match(/one YAML document/)
    })

    it('given executable or unknown tags, then Left and nothing runs', () => {
      for (const text of [
        '- job_name: !!js/function "function () { throw new Error(1) }"\n',
        '- !!js/undefined ""\n',
        '- job_name: !!python/object:os.system x\n',
      ]) {
        expect(errorOf(parseScrapeConfigList(text)), text).to.match(/not valid YAML/)
      }
    })

    it('given duplicate keys in one job, then Left (Prometheus rejects them too)', () => {
      expect(errorOf(parseScrapeConfigList('- job_name: a\n  job_name: b\n'))).to.match(/not valid YAML/)
    })

    it('given an alias bomb or a circular alias, then Left instead of exploding', () => {
      const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]']
      for (let i = 1; i < 9; i++)
        bomb.push(
          `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10)
            .fill(`*${String.fromCharCode(96 + i)}`)
            .join(',')}]`,
        )
      const text = `- job_name: bomb\n${bomb.map((l) => `  ${l}`).join('\n')}\n`
      expect(errorOf(parseScrapeConfigList(text))).to.match(/more than \d+ YAML nodes/)
      expect(errorOf(parseScrapeConfigList('- &a {job_name: x, self: [*a]}\n'))).to.match(/YAML nodes/)
    })

    it('resolves << merge keys like Prometheus does', () => {
      const list = parsed('- <<: {scrape_interval: 1m, honor_labels: true}\n  job_name: merged\n')
      expect(findJob(list, 'merged')).to.deep.equal({ scrape_interval: '1m', honor_labels: true, job_name: 'merged' })
    })

    it('reads job names, including scalar ones Prometheus would turn into strings', () => {
      const list = parsed(`${FOREIGN}- job_name: 123\n- scrape_interval: 1m\n`)
      expect(jobNames(list)).to.deep.equal(['node-exporter', '123'])
      expect(list.entries[2]?.jobName).to.equal(undefined)
    })

    it("names jobs by the scalar's text, as Prometheus decodes job_name into a string (0x1F and 31 are two jobs; promtool agrees: the integration spec)", () => {
      const text =
        '- job_name: 0x1F\n  static_configs: [{targets: ["a:1"]}]\n- job_name: 31\n  static_configs: [{targets: ["a:1"]}]\n- &b {job_name: "q", scrape_interval: 1m}\n- <<: *b\n  job_name: 1e3\n- job_name: true\n- <<: *b\n'
      const list = parseScrapeList(text)
      if (isLeft(list)) throw new Error(list.left.message)
      expect(list.right.items.map((item) => item.jobName)).to.deep.equal(['0x1F', '31', 'q', '1e3', 'true', 'q'])
      expect(parsed(text).entries.map((e) => e.jobName)).to.deep.equal(['0x1F', '31', 'q', '1e3', 'true', 'q'])
    })
  })

  describe('applyEdits', () => {
    const foreign = parsed(FOREIGN)

    it('upsert of a new job appends it and keeps the other entries as they were', () => {
      const next = applyEdits(foreign, [{ op: 'upsert', job: job('svc-a') }])
      expect(jobNames(next)).to.deep.equal(['node-exporter', 'svc-a'])
      expect(next.entries[0]).to.equal(foreign.entries[0])
      expect(findJob(next, 'svc-a')).to.deep.equal(job('svc-a'))
    })

    it('upsert of an existing job replaces it in place', () => {
      const list = parsed(
        renderScrapeConfigList(
          applyEdits(foreign, [
            { op: 'upsert', job: job('svc-a') },
            { op: 'upsert', job: job('svc-b') },
          ]),
        ),
      )
      const next = applyEdits(list, [{ op: 'upsert', job: job('svc-a', ['NS_9'], 1234) }])
      expect(jobNames(next)).to.deep.equal(['node-exporter', 'svc-a', 'svc-b'])
      expect(findJob(next, 'svc-a')).to.deep.equal(job('svc-a', ['NS_9'], 1234))
      expect(next.entries[0]).to.equal(list.entries[0])
      expect(next.entries[2]).to.equal(list.entries[2])
    })

    it('upsert collapses existing duplicates into one at the first position', () => {
      const list = parsed(`- job_name: dup\n  a: 1\n${FOREIGN}- job_name: dup\n  a: 2\n`)
      const next = applyEdits(list, [{ op: 'upsert', job: job('dup') }])
      expect(jobNames(next)).to.deep.equal(['dup', 'node-exporter'])
      expect(findJob(next, 'dup')).to.deep.equal(job('dup'))
    })

    it('remove drops every entry with that name', () => {
      const list = parsed(`- job_name: gone\n${FOREIGN}- job_name: gone\n  x: 1\n`)
      const next = applyEdits(list, [{ op: 'remove', jobName: 'gone' }])
      expect(jobNames(next)).to.deep.equal(['node-exporter'])
      expect(next.entries[0]).to.equal(list.entries[1])
    })

    it('remove of an absent job is a no-op (same entries, same text)', () => {
      const next = applyEdits(foreign, [{ op: 'remove', jobName: 'never-there' }])
      expect(next.entries).to.deep.equal(foreign.entries)
      expect(renderScrapeConfigList(next)).to.equal(renderScrapeConfigList(foreign))
    })

    it('other jobs keep deep-equal values and the same fragment string through a parse/render cycle', () => {
      const before = parsed(`${FOREIGN}- job_name: other\n  metrics_path: /m\n`)
      const after = parsed(
        renderScrapeConfigList(
          applyEdits(before, [
            { op: 'upsert', job: job('svc') },
            { op: 'remove', jobName: 'x' },
          ]),
        ),
      )
      for (const i of [0, 1]) {
        expect(after.entries[i]?.value).to.deep.equal(before.entries[i]?.value)
        expect(after.entries[i]?.yaml).to.equal(before.entries[i]?.yaml)
      }
    })
  })

  describe('renderScrapeConfigList', () => {
    it('renders the empty list as []', () => {
      expect(renderScrapeConfigList(parsed(undefined))).to.equal('[]\n')
    })

    it('round-trips: parse(render(list)) deep-equals the values, foreign fields included', () => {
      const list = applyEdits(parsed(FOREIGN), [{ op: 'upsert', job: job('svc', ['a.b', 'NS_2']) }])
      expect(roundTrip(list)).to.deep.equal(values(list))
      expect(findJob(list, 'node-exporter')).to.deep.include({ x_unknown_field: { nested: [1, 2.5, true, null, 'yes'] } })
    })

    it('a hostile serviceId or namespace cannot add a second job', () => {
      const evil = 'x"\n- job_name: evil\n  static_configs: [{targets: ["evil:1"]}]\n#'
      const list = applyEdits(parsed(undefined), [
        { op: 'upsert', job: federationJob({ serviceId: evil, namespaces: [evil, "'\n- job_name: evil2"], host: 'h', port: 1 }) },
      ])
      const text = renderScrapeConfigList(list)
      const back = parsed(text)
      expect(back.entries).to.have.length(1)
      expect(jobNames(back)).to.deep.equal([evil])
      expect(back.entries[0]?.value).to.deep.equal(list.entries[0]?.value)
    })

    it('quotes strings a YAML 1.1 reader would take for booleans or numbers', () => {
      const list = applyEdits(parsed(undefined), [{ op: 'upsert', job: job('yes', ['on', '0o12', '1e3']) }])
      expect(renderScrapeConfigList(list)).to.include("job_name: 'yes'")
    })
  })

  describe('properties (fast-check)', () => {
    const name = fc.oneof(fc.constantFrom('a', 'b', 'c', 'svc.1', 'yes', '123'), fc.string({ maxLength: 12, unit: 'binary' }))
    const foreignJob = fc.record({ job_name: name, scrape_interval: fc.constantFrom('15s', '1m'), extra: fc.jsonValue({ maxDepth: 2 }) })
    const edit: fc.Arbitrary<JobChange> = fc.oneof(
      fc.record({
        op: fc.constant('upsert' as const),
        job: fc
          .tuple(name, fc.array(fc.string({ maxLength: 8, unit: 'binary' }), { maxLength: 3 }), fc.integer({ min: 1, max: 65535 }))
          .map(([id, ns, port]) => job(id, ns, port)),
      }),
      fc.record({ op: fc.constant('remove' as const), jobName: name }),
    )
    /** fast-check's JSON values may hold -0, which YAML (like JSON) writes as 0. */
    const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v)) as unknown

    it('render→parse round-trips, touched names are unique, untouched entries are preserved', () => {
      fc.assert(
        fc.property(fc.array(foreignJob, { maxLength: 8 }), fc.array(edit, { maxLength: 6 }), (jobs, edits) => {
          // The starting secret is written by a plain YAML dump, as a stand-in for any other writer.
          const start = parsed(jobs.length === 0 ? undefined : dump(jobs))
          const next = applyEdits(start, edits)
          expect(plain(roundTrip(next))).to.deep.equal(plain(values(next)))

          const touched = new Set(edits.map((e) => (e.op === 'upsert' ? e.job.job_name : e.jobName)))
          const names = jobNames(next).filter((n) => touched.has(n))
          expect(new Set(names).size).to.equal(names.length)

          const untouchedBefore = start.entries.filter((e) => e.jobName === undefined || !touched.has(e.jobName))
          const untouchedAfter = next.entries.filter((e) => e.jobName === undefined || !touched.has(e.jobName))
          expect(untouchedAfter).to.have.length(untouchedBefore.length)
          untouchedAfter.forEach((e, i) => expect(e).to.equal(untouchedBefore[i]))
        }),
        { numRuns: 300 },
      )
    })
  })
})
