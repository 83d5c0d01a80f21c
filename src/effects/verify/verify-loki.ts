/**
 * `verify`'s Loki link, through Grafana's data source proxy: each logs dashboard's query is sent
 * to Loki as the logs panel sends it (a range query over the last hour, one line), so a query
 * Loki refuses is named with Loki's own error. An accepted query with no lines is a warning: the
 * dashboard is right, but nothing ships those logs (or not with those labels).
 */
import { isLeft } from 'fp-ts/lib/Either.js'
import { decodeBody } from '../../codecs/apis/grafana.js'
import { LokiAnswer } from '../../codecs/apis/prometheus-api.js'
import { checkFail, checkOk, checkWarning, type DoctorCheck } from '../../support/doctor-check.js'
import { firstLine, proxyGet } from '../grafana/datasource-proxy.js'
import type { GrafanaTransport } from '../grafana/grafana-transport.js'

const HOUR_NS = 3_600_000_000_000n

export const verifyLokiQuery = async (transport: GrafanaTransport, datasourceUid: string, role: string, query: string, now: Date): Promise<DoctorCheck> => {
  const name = `loki.query ${role}`
  const end = BigInt(now.getTime()) * 1_000_000n
  const answer = await proxyGet(transport, datasourceUid, 'loki/api/v1/query_range', {
    query,
    limit: '1',
    start: String(end - HOUR_NS),
    end: String(end),
    direction: 'backward',
  })
  if (answer.status === 400)
    return checkFail(
      name,
      `Loki refused ${query}: ${firstLine(answer.text)}`,
      "the dashboard's query is wrong: re-create the dashboard (reconcile) or report it",
    )
  const decoded = decodeBody(LokiAnswer, answer.text)
  if (answer.status !== 200 || isLeft(decoded)) {
    return checkFail(
      name,
      `the data source proxy answered ${answer.status}${firstLine(answer.text) === '' ? '' : `: ${firstLine(answer.text)}`}`,
      'check the Loki datasource in Grafana (its URL, and that Grafana reaches it): Connections → Data sources → Test',
    )
  }
  return decoded.right.data.result.length > 0
    ? checkOk(name, `${query} accepted by Loki, log lines in the last hour`)
    : checkWarning(
        name,
        `${query} accepted by Loki, but no log lines in the last hour`,
        "check that the log shipper of the managed cluster sends these namespaces' logs to this Loki with these labels",
      )
}
