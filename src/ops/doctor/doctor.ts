/**
 * `telemetry-client doctor`: each dependency checked the way the service uses it, through each
 * system's own door, reading only. The probes run one after another so the report's order is
 * fixed (Kafka, Redis, Kubernetes, Grafana) and a slow system cannot reorder it.
 */
import type { Config } from '../../config/config.js'
import { probeGrafana } from '../../effects/grafana/grafana-doctor-probe.js'
import { probeKube } from '../../effects/kube/kube-doctor-probe.js'
import { probeOwnership } from '../../effects/kube/ownership-doctor-probe.js'
import { checkFail, errorMessage, type DoctorCheck } from '../../support/doctor-check.js'
import { withRegisteredJobs } from '../reconcile/registered-jobs.js'
import { probeRedis } from '../../state/store/doctor-probe.js'
import { probeKafka } from '../../streams/kafka/doctor-probe.js'
import type { DoctorReport } from './doctor-report.js'

/** The ownership record against the event logs: needs both Redis and Kubernetes, so only when both answered. */
const ownershipChecks = async (config: Config, redis: readonly DoctorCheck[], kube: readonly DoctorCheck[]): Promise<readonly DoctorCheck[]> => {
  // not checkable while Redis is down or a Kubernetes check failed (those checks already say why)
  if (!redis.some((c) => c.name === 'redis.reachable' && c.status === 'ok') || kube.length === 0 || kube.some((c) => c.status === 'fail')) return []
  try {
    return [await withRegisteredJobs(config.redis, (logged) => probeOwnership(config, logged))]
  } catch (error) {
    return [checkFail('kube.ownership', `not checked: the event logs could not be read: ${errorMessage(error)}`, 'see the redis.* checks above')]
  }
}

export const runDoctor = async (config: Config): Promise<DoctorReport> => {
  const kafka = await probeKafka(config.kafka)
  const redis = await probeRedis(config.redis)
  const kube = await probeKube(config)
  const ownership = await ownershipChecks(config, redis, kube)
  const grafana = await probeGrafana(config.grafana)
  return { checks: [...kafka, ...redis, ...kube, ...ownership, ...grafana] }
}
