/**
 * What a running service's /metrics registry says, summed over the series whose labels include
 * `labels`: how specs read counters the service keeps (conflicts, retries, open lanes) without
 * reaching into its parts.
 */
import type { RunningService } from '../../src/runtime/service.js'

export const metricTotal = async (service: RunningService | undefined, name: string, labels: Readonly<Record<string, string>> = {}): Promise<number> => {
  const metric = service?.metrics.registry.getSingleMetric(name)
  if (metric === undefined) return 0
  const { values } = await metric.get()
  return values.filter((v) => Object.entries(labels).every(([key, value]) => v.labels[key] === value)).reduce((sum, v) => sum + v.value, 0)
}
