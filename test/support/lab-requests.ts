/**
 * What the real-Prometheus specs share: a create aimed at one of the lab's clusters, and the
 * check that each of a service's metrics panels (read from the dashboard the service saved in
 * Grafana, Grafana's variables substituted as Grafana would) shows exactly that cluster's values
 * for the service's namespaces in the central Prometheus.
 */
import type { PrometheusLab } from '../../dev/prometheus-lab.js'
import type { GrafanaSimulator } from '../../dev/grafana-simulator/server.js'
import { dashboardUid } from '../../src/effects/grafana/dashboard-uids.js'
import { substituteGrafanaVariables } from '../../src/effects/grafana/grafana-variables.js'
import { byNamespace, clusterOf, labPatience, expectedPanelValues, matchesValues } from './prometheus-fixture.js'
import { eventually } from './wait.js'
import { createRequest } from './request-builders.js'

export const createOnCluster = (lab: PrometheusLab, serviceId: string, cluster: 'east' | 'west', namespaces: readonly string[]) => {
  const { host, port } = clusterOf(lab, cluster)
  const request = createRequest(serviceId, namespaces)
  return { ...request, data: { ...request.data, prometheus: { host, port } } }
}

interface Panel {
  readonly title?: string
  readonly targets?: ReadonlyArray<{ readonly expr?: string }>
}

/** The metrics dashboard's panels as the service saved them: title and query. */
export const savedMetricPanels = (grafana: GrafanaSimulator, serviceId: string): ReadonlyArray<{ readonly title: string; readonly expr: string }> => {
  const model = grafana.dashboards().find((d) => d.uid === dashboardUid(serviceId, 'metrics'))?.model
  if (model === undefined) throw new Error(`no metrics dashboard for ${serviceId}`)
  return ((model['panels'] ?? []) as readonly Panel[]).map((p) => ({ title: p.title ?? '', expr: p.targets?.[0]?.expr ?? '' }))
}

/** Waits until every metrics panel of the service shows exactly the cluster's values; the rate window is 10s (ten scrapes). */
export const expectPanelsShowCluster = async (
  lab: PrometheusLab,
  grafana: GrafanaSimulator,
  serviceId: string,
  cluster: 'east' | 'west',
  namespaces: readonly string[],
): Promise<void> => {
  const panels = savedMetricPanels(grafana, serviceId)
  if (panels.length !== 4) throw new Error(`expected 4 metrics panels, found ${panels.length}`)
  for (const panel of panels) {
    const expected = expectedPanelValues(cluster, namespaces, panel.title)
    const expr = substituteGrafanaVariables(panel.expr, { rateInterval: '10s' })
    await eventually(
      () => byNamespace(lab.central, expr),
      (values) => matchesValues(values, expected),
      `${serviceId} panel "${panel.title}" to show ${JSON.stringify([...expected])} (${expr})`,
      labPatience,
    )
  }
}
