/**
 * `telemetry-client doctor`: each dependency checked the way the service uses it, through each
 * system's own door, reading only. The probes run one after another so the report's order is
 * fixed (Kafka, Redis, Kubernetes, Grafana) and a slow system cannot reorder it.
 */
import type { Config } from '../config/config.js'
import { probeGrafana } from '../effects/grafana-doctor-probe.js'
import { probeKube } from '../effects/kube-doctor-probe.js'
import { probeRedis } from '../state/store/doctor-probe.js'
import { probeKafka } from '../streams/kafka/doctor-probe.js'
import type { DoctorReport } from './doctor-report.js'

export const runDoctor = async (config: Config): Promise<DoctorReport> => {
  const kafka = await probeKafka(config.kafka)
  const redis = await probeRedis(config.redis)
  const kube = await probeKube(config)
  const grafana = await probeGrafana(config.grafana)
  return { checks: [...kafka, ...redis, ...kube, ...grafana] }
}
