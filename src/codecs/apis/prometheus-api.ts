/**
 * Codecs for the Prometheus HTTP API answers `verify` reads through Grafana's data source proxy:
 * `/api/v1/targets` and `/api/v1/query`. Only the fields verify uses are required; the rest
 * passes (Prometheus adds fields between versions).
 */
import * as t from 'io-ts'

export const ActiveTarget = t.intersection([
  t.type({ scrapePool: t.string, scrapeUrl: t.string, health: t.string, labels: t.record(t.string, t.string) }),
  t.partial({ lastError: t.string, lastScrape: t.string, scrapeInterval: t.string }),
])
export type ActiveTarget = t.TypeOf<typeof ActiveTarget>

export const TargetsAnswer = t.type({
  status: t.literal('success'),
  data: t.type({ activeTargets: t.readonlyArray(ActiveTarget) }),
})
export type TargetsAnswer = t.TypeOf<typeof TargetsAnswer>

export const VectorSample = t.type({
  metric: t.record(t.string, t.string),
  value: t.tuple([t.number, t.string]),
})
export type VectorSample = t.TypeOf<typeof VectorSample>

/** An instant query's answer; verify asks only for vectors (every panel is a `sum by`). */
export const VectorAnswer = t.type({
  status: t.literal('success'),
  data: t.type({ resultType: t.literal('vector'), result: t.readonlyArray(VectorSample) }),
})
export type VectorAnswer = t.TypeOf<typeof VectorAnswer>

/** The error shape of both Prometheus and (for JSON errors) Loki. */
export const ApiError = t.intersection([t.type({ status: t.literal('error') }), t.partial({ errorType: t.string, error: t.string })])
export type ApiError = t.TypeOf<typeof ApiError>

/** A Loki query answer: only that it succeeded, and how many streams came back. */
export const LokiAnswer = t.type({
  status: t.literal('success'),
  data: t.type({ result: t.readonlyArray(t.unknown) }),
})
export type LokiAnswer = t.TypeOf<typeof LokiAnswer>
