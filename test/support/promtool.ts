/**
 * Test-only bridge to the real `promtool` (Debian's prometheus package), so the YAML we render
 * and the PromQL we generate are checked by Prometheus' own parser, not by our idea of it.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface PromtoolResult {
  readonly ok: boolean
  readonly output: string
}

/** Runs promtool (resolved via PATH) with the given arguments; a non-zero exit is `ok: false`. */
const runPromtool = (args: readonly string[]): Promise<PromtoolResult> =>
  new Promise((resolve) => {
    execFile('promtool', [...args], { timeout: 20_000 }, (error, stdout, stderr) => {
      const output = `${stdout}${stderr}`
      // A spawn failure (e.g. promtool not installed) prints nothing: report the error itself.
      resolve({ ok: error === null, output: output === '' && error !== null ? error.message : output })
    })
  })

/** Writes `content` to a fresh temp dir, runs `use(path)`, and always removes the dir. */
const withTempFile = async <T>(name: string, content: string, use: (path: string) => Promise<T>): Promise<T> => {
  const dir = await mkdtemp(join(tmpdir(), 'tc-promtool-'))
  try {
    const path = join(dir, name)
    await writeFile(path, content, 'utf8')
    return await use(path)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** Indents every non-empty line, so a top-level YAML list becomes the value of a mapping key. */
const indent = (text: string, by: string): string =>
  text
    .split('\n')
    .map((line) => (line === '' ? line : by + line))
    .join('\n')

/**
 * `promtool check config` on the secret's value (a YAML list of scrape configs), wrapped the way
 * Prometheus sees it after the Operator merges `additionalScrapeConfigs` into its config.
 */
export const checkScrapeConfigsWithPromtool = (listYaml: string): Promise<PromtoolResult> =>
  withTempFile('prometheus.yml', `global: {}\nscrape_configs:\n${indent(listYaml, '  ')}\n`, (path) => runPromtool(['check', 'config', path]))

/**
 * `promtool check rules` on one recording rule per expression: Prometheus parses every expression
 * and compiles every regex matcher, so a quoting or escaping mistake fails here. Grafana's
 * `$__rate_interval` is not PromQL; callers substitute it before checking.
 */
export const checkPromqlWithPromtool = (exprs: readonly string[]): Promise<PromtoolResult> => {
  const rules = exprs.map((expr, i) => ({ record: `check:expr_${i}`, expr }))
  // JSON is valid YAML, and JSON.stringify quotes each expression exactly.
  const file = JSON.stringify({ groups: [{ name: 'check', rules }] })
  return withTempFile('rules.yml', file, (path) => runPromtool(['check', 'rules', path]))
}

export interface PromqlEvalCase {
  /** Input series in PromQL series notation, e.g. `up{namespace="a.b"}`; each has value 1. */
  readonly series: readonly string[]
  readonly expr: string
  /** The series (same notation) the expression must return, each with value 1. */
  readonly expected: readonly string[]
}

/**
 * `promtool test rules`: Prometheus evaluates `expr` over the input series and compares the result
 * with `expected`, so a selector is checked for what it MATCHES, not only that it parses.
 */
export const evalPromqlWithPromtool = (c: PromqlEvalCase): Promise<PromtoolResult> => {
  const file = JSON.stringify({
    evaluation_interval: '1m',
    tests: [
      {
        interval: '1m',
        input_series: c.series.map((series) => ({ series, values: '1' })),
        promql_expr_test: [{ expr: c.expr, eval_time: '0m', exp_samples: c.expected.map((labels) => ({ labels, value: 1 })) }],
      },
    ],
  })
  return withTempFile('tests.yml', file, (path) => runPromtool(['test', 'rules', path]))
}
