/**
 * What a straightforward listener does for one create request, written the obvious way and
 * against the SAME simulators (same latencies) as the service, so the ratios compare like with
 * like: GET the secret, parse the whole YAML list, add the job, dump the whole list, PUT it with
 * the resourceVersion (re-read and retry on 409), then the same Grafana calls the service makes
 * (ensure folder: POST, GET on 409; save dashboard) for both dashboards, then send the result.
 *
 * It reuses the project's pure builders (the job and the dashboard models) so the baseline does
 * the same CPU work for the same output; only the orchestration differs.
 */
import { dump, load } from '../test/support/yaml.js'
import { randomUUID } from 'node:crypto'
import type { Producer } from 'kafkajs'
import type { CreateDashboardRequest } from '../src/codecs/requests.js'
import { ResultTopics } from '../src/codecs/topics.js'
import { DEV_SECRET, type DevStack } from '../dev/dev-stack.js'
import { dashboardModelOf, jobOf } from '../src/effects/desired-state.js'
import { Folders } from '../src/effects/grafana/folders.js'

export interface BaselineCounters {
  conflicts: number
  puts: number
  lastError?: string
}

export interface BaselineTarget {
  readonly stack: Pick<DevStack, 'kube' | 'grafana'>
  readonly producer: Producer
  readonly counters: BaselineCounters
}

const MAX_ATTEMPTS = 100
const DATASOURCES = { prometheusDatasourceUid: 'prometheus', lokiDatasourceUid: 'loki' }

interface SecretBody {
  readonly data?: Record<string, string>
  readonly metadata: { readonly resourceVersion: string }
}

const secretUrl = (kubeUrl: string): string => `${kubeUrl}/api/v1/namespaces/${DEV_SECRET.namespace}/secrets/${DEV_SECRET.name}`

const registerJob = async (target: BaselineTarget, payload: CreateDashboardRequest): Promise<void> => {
  const url = secretUrl(target.stack.kube.url)
  const headers = { authorization: `Bearer ${target.stack.kube.token}`, 'content-type': 'application/json' }
  const job = jobOf(payload)
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
    const got = await fetch(url, { headers })
    if (!got.ok) throw new Error(`GET secret: HTTP ${got.status}`)
    const secret = (await got.json()) as SecretBody
    const text = Buffer.from(secret.data?.[DEV_SECRET.key] ?? '', 'base64').toString('utf8')
    const jobs = ((text.trim() === '' ? [] : (load(text) ?? [])) as Array<{ job_name?: unknown }>).filter((j) => j.job_name !== job.job_name)
    jobs.push(job)
    const body = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: DEV_SECRET.name, namespace: DEV_SECRET.namespace, resourceVersion: secret.metadata.resourceVersion },
      data: { [DEV_SECRET.key]: Buffer.from(dump(jobs)).toString('base64') },
    }
    const put = await fetch(url, { method: 'PUT', headers, body: JSON.stringify(body) })
    await put.arrayBuffer()
    target.counters.puts += 1
    if (put.ok) return
    if (put.status !== 409) throw new Error(`PUT secret: HTTP ${put.status}`)
    target.counters.conflicts += 1
    // the naive retry: a little jitter, then read-modify-write again
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 10))
  }
  throw new Error(`PUT secret: still conflicting after ${MAX_ATTEMPTS} attempts`)
}

const grafana = async (target: BaselineTarget, method: string, path: string, json?: unknown): Promise<number> => {
  const response = await fetch(`${target.stack.grafana.url}/${path}`, {
    method,
    headers: { authorization: `Bearer ${target.stack.grafana.token}`, 'content-type': 'application/json' },
    ...(json === undefined ? {} : { body: JSON.stringify(json) }),
  })
  await response.arrayBuffer()
  return response.status
}

const upsertDashboard = async (target: BaselineTarget, role: 'metrics' | 'logs', payload: CreateDashboardRequest): Promise<void> => {
  const folder = Folders[role]
  const created = await grafana(target, 'POST', 'api/folders', { uid: folder.uid, title: folder.title })
  if (created === 409 || created === 412) {
    const found = await grafana(target, 'GET', `api/folders/${folder.uid}`)
    if (found !== 200) throw new Error(`GET folder: HTTP ${found}`)
  } else if (created !== 200) throw new Error(`POST folder: HTTP ${created}`)
  const model = dashboardModelOf(role, payload, DATASOURCES)
  const saved = await grafana(target, 'POST', 'api/dashboards/db', {
    dashboard: { ...model, id: null },
    folderUid: folder.uid,
    overwrite: true,
    message: 'baseline',
  })
  if (saved !== 200) throw new Error(`save dashboard: HTTP ${saved}`)
}

/** Handles one create message end to end; a failure is answered FAILURE, like the service would. */
export const handleCreate = async (target: BaselineTarget, value: Buffer | null): Promise<void> => {
  const envelope = JSON.parse(value?.toString('utf8') ?? 'null') as { kogitoprocinstanceid?: string; data?: CreateDashboardRequest } | null
  const payload = envelope?.data
  if (envelope === null || payload === undefined) return
  let status = 'SUCCESS'
  try {
    await registerJob(target, payload)
    await upsertDashboard(target, 'metrics', payload)
    await upsertDashboard(target, 'logs', payload)
  } catch (error) {
    status = 'FAILURE'
    target.counters.lastError = error instanceof Error ? error.message : String(error)
  }
  const result = {
    specversion: '1.0',
    id: randomUUID(),
    source: '/baseline',
    type: ResultTopics.create,
    kogitoprocrefid: envelope.kogitoprocinstanceid,
    data: { serviceId: payload.serviceId, dashboardDataOrderStatus: status },
  }
  await target.producer.send({ topic: ResultTopics.create, messages: [{ key: payload.serviceId, value: JSON.stringify(result) }] })
}
