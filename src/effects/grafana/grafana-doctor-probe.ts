/**
 * The doctor's Grafana checks, GET only: /api/health (no credentials needed), which API the service
 * would use (GRAFANA_API, discovery: `GET /apis`), then the three
 * folders by uid (a 401 there means the credentials are refused; `canSave` is Grafana's own
 * answer to "may this identity save dashboards here?"), then the two datasource uids the
 * dashboards reference. A missing folder is a warning: the service creates it on the first
 * request (POST /api/folders with its fixed uid); whether that POST would be allowed cannot be
 * asked without writing, so the warning says so.
 */
import * as t from 'io-ts'
import { isLeft } from 'fp-ts/lib/Either.js'
import { decodeBody } from '../../codecs/apis/grafana.js'
import type { Config } from '../../config/config.js'
import { checkFail, checkOk, checkWarning, errorMessage, type DoctorCheck } from '../../support/doctor-check.js'
import { Folders } from './folders.js'
import { discoverApi } from './grafana-discovery.js'
import { GrafanaError } from './grafana-error.js'
import { describeApi, type GrafanaApiInUse } from './grafana-port.js'
import { createGrafanaTransport, type Answer, type GrafanaTransport } from './grafana-transport.js'

const Health = t.partial({ version: t.string, database: t.string })
const FolderBody = t.intersection([t.type({ uid: t.string }), t.partial({ title: t.string, canSave: t.boolean })])
const DatasourceBody = t.partial({ type: t.string, name: t.string })

const CREDENTIALS_ACTION = 'set GRAFANA_TOKEN (a service account token with the Editor role) or GRAFANA_USER/GRAFANA_PASSWORD'

const get = (transport: GrafanaTransport, kind: string, path: string): Promise<Answer> =>
  transport.send({ kind, operation: `doctor ${kind}`, method: 'get', path }, { maxRetries: 0, queued: false })

/** Pure: the verdict on one folder's GET answer. */
export const folderCheck = (title: string, uid: string, answer: Answer): DoctorCheck => {
  const name = `grafana.folder ${title}`
  if (answer.status === 404)
    return checkWarning(
      name,
      `absent (uid ${uid}): will be created on the first request`,
      'nothing, if the credentials may create folders (Editor role); otherwise create it with this uid',
    )
  if (answer.status === 401) return checkFail(name, 'credentials refused (401)', CREDENTIALS_ACTION)
  if (answer.status === 403) return checkFail(name, `no permission to read folder ${uid} (403)`, 'give the service account Editor on this folder')
  const body = decodeBody(FolderBody, answer.text)
  if (answer.status !== 200 || isLeft(body)) return checkFail(name, `unexpected answer ${answer.status}`, "check GRAFANA_URL points at Grafana's root")
  return body.right.canSave === false
    ? checkFail(name, `present (uid ${uid}), but dashboards cannot be saved in it (canSave false)`, 'give the service account Editor on this folder')
    : checkOk(name, `present (uid ${uid}), dashboards can be saved in it`)
}

/** Pure: the verdict on one folder's `/apis` GET answer (no `canSave` there: only presence). */
export const apisFolderCheck = (title: string, uid: string, answer: Answer): DoctorCheck => {
  if (answer.status === 200) return checkOk(`grafana.folder ${title}`, `present (uid ${uid})`)
  return folderCheck(title, uid, answer)
}

/** Pure: which API the service would use, and whether that fits GRAFANA_API. */
export const apiCheck = (setting: string, api: GrafanaApiInUse): DoctorCheck => {
  if (setting === 'apis' && api.kind === 'legacy') {
    return checkFail(
      'grafana.api',
      'GRAFANA_API=apis, but this Grafana offers no dashboard.grafana.app and folder.grafana.app in v1 or v1beta1',
      'set GRAFANA_API=auto (or legacy)',
    )
  }
  const how = setting === 'auto' ? 'chosen by discovery' : `set by GRAFANA_API=${setting}`
  return checkOk('grafana.api', `${describeApi(api)}, ${how}`)
}

/** Pure: the verdict on one datasource uid's GET answer. */
export const datasourceCheck = (role: string, variable: string, uid: string, answer: Answer): DoctorCheck => {
  const name = `grafana.datasource ${role}`
  const body = decodeBody(DatasourceBody, answer.text)
  if (answer.status === 200 && !isLeft(body)) return checkOk(name, `uid ${uid} exists (${body.right.type ?? 'unknown type'})`)
  if (answer.status === 404)
    return checkFail(
      name,
      `uid ${uid} does not exist: the dashboards would show "datasource not found"`,
      `set ${variable} to the uid of your ${role} datasource`,
    )
  if (answer.status === 403) return checkWarning(name, `uid ${uid} not readable with these credentials (403)`, `check that ${uid} is your ${role} datasource`)
  return checkFail(name, `uid ${uid}: unexpected answer ${answer.status}`, CREDENTIALS_ACTION)
}

const healthCheck = async (transport: GrafanaTransport, url: string): Promise<DoctorCheck> => {
  const answer = await get(transport, 'health', 'api/health')
  const body = decodeBody(Health, answer.text)
  return answer.status === 200 && !isLeft(body)
    ? checkOk('grafana.reachable', `${url} (version ${body.right.version ?? 'unknown'}, database ${body.right.database ?? 'unknown'})`)
    : checkFail('grafana.reachable', `${url}/api/health answered ${answer.status}`, 'check GRAFANA_URL (including any sub-path Grafana is served from)')
}

const credentialsCheck = (answers: readonly Answer[]): DoctorCheck =>
  answers.some((a) => a.status === 401) ? checkFail('grafana.credentials', 'refused (401)', CREDENTIALS_ACTION) : checkOk('grafana.credentials', 'accepted')

export const probeGrafana = async (config: Config['grafana']): Promise<readonly DoctorCheck[]> => {
  const transport = createGrafanaTransport({ baseUrl: config.url, auth: config.auth, retry: { retries: 0, timeoutMs: Math.min(config.timeoutMs, 5000) } })
  try {
    const health = await healthCheck(transport, config.url)
    if (health.status === 'fail') return [health]
    let discovered: GrafanaApiInUse = { kind: 'legacy' }
    try {
      if (config.api !== 'legacy') discovered = await discoverApi(transport, config.namespace)
    } catch (error) {
      if (error instanceof GrafanaError && error.kind === 'unauthorized')
        return [health, checkFail('grafana.credentials', `refused (${error.status ?? 401})`, CREDENTIALS_ACTION)]
      throw error
    }
    const api = apiCheck(config.api, discovered)
    if (api.status === 'fail') return [health, api]
    const folders = Object.values(Folders)
    const folderPath = (uid: string): string =>
      discovered.kind === 'legacy'
        ? `api/folders/${encodeURIComponent(uid)}`
        : `apis/folder.grafana.app/${discovered.folderVersion}/namespaces/${encodeURIComponent(discovered.namespace)}/folders/${encodeURIComponent(uid)}`
    const folderAnswers = await Promise.all(folders.map((f) => get(transport, 'folder.get', folderPath(f.uid))))
    const credentials = credentialsCheck(folderAnswers)
    if (credentials.status === 'fail') return [health, credentials]
    const datasources = [
      { role: 'Prometheus', variable: 'GRAFANA_PROMETHEUS_DATASOURCE_UID', uid: config.prometheusDatasourceUid },
      { role: 'Loki', variable: 'GRAFANA_LOKI_DATASOURCE_UID', uid: config.lokiDatasourceUid },
    ]
    const datasourceAnswers = await Promise.all(datasources.map((d) => get(transport, 'datasource.get', `api/datasources/uid/${encodeURIComponent(d.uid)}`)))
    const verdict = discovered.kind === 'legacy' ? folderCheck : apisFolderCheck
    return [
      health,
      api,
      credentials,
      ...folders.map((f, i) => verdict(f.title, f.uid, folderAnswers[i] ?? { status: 0, text: '' })),
      ...datasources.map((d, i) => datasourceCheck(d.role, d.variable, d.uid, datasourceAnswers[i] ?? { status: 0, text: '' })),
    ]
  } catch (error) {
    return [checkFail('grafana.reachable', `${config.url}: ${errorMessage(error)}`, 'check GRAFANA_URL and the network path to Grafana')]
  }
}
