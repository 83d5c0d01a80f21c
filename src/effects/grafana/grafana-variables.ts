/**
 * Grafana's built-in interval variables, substituted the way Grafana does before it sends a
 * panel's query to Prometheus: the generated dashboards use `$__rate_interval`, which is not
 * PromQL. `verify` evaluates each panel's query as the dashboard would, and the tests check the
 * text Prometheus really receives.
 *
 * Grafana computes `$__rate_interval` as max($__interval + scrape interval, 4 × scrape interval);
 * with the Prometheus datasource's default scrape interval (15s) and a dashboard's usual
 * `$__interval` that is one minute, the value used unless told otherwise.
 */
export const DEFAULT_RATE_INTERVAL = '1m'

export interface GrafanaIntervals {
  /** `$__rate_interval`, a Prometheus duration such as `1m` or `20s` */
  readonly rateInterval: string
  /** `$__interval`; the rate interval unless given */
  readonly interval?: string
  /** `$__range`; one hour unless given */
  readonly range?: string
}

/** Every spelling Grafana accepts (`$__x`, `${__x}`), longest name first (`$__interval` is a prefix of `$__interval_ms`). */
export const substituteGrafanaVariables = (expr: string, intervals: GrafanaIntervals = { rateInterval: DEFAULT_RATE_INTERVAL }): string => {
  const values: ReadonlyArray<readonly [string, string]> = [
    ['__rate_interval', intervals.rateInterval],
    ['__interval', intervals.interval ?? intervals.rateInterval],
    ['__range', intervals.range ?? '1h'],
  ]
  return values.reduce(
    (text, [name, value]) =>
      text
        .split(`\${${name}}`)
        .join(value)
        .replace(new RegExp(`\\$${name}(?![A-Za-z0-9_])`, 'g'), value),
    expr,
  )
}
