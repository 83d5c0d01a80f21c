/**
 * The spec's sample requests (create and delete, verbatim) and a platform-service request in the
 * payload this project defines (docs/kafka-contract.md). The local stack publishes them.
 */
export const SAMPLE_SERVICE_ID = 'ecc4345a-2097-4c3b-a40c-a9e791cdccbb'

export const sampleCreateRequest = {
  specversion: '1.0',
  id: '4c813bc9-2276-44c1-ba91-af3d29d41dab',
  source: '/process/serviceTelemetryProcess',
  type: 'telemetry-create-prometheus-job-and-grafana-dashboard',
  time: '2024-10-30T11:28:34.161962096+02:00',
  kogitoproctype: 'BPMN',
  kogitoprocinstanceid: 'bb4c1652-7589-42bd-9417-f359c2f391ee',
  kogitoprocist: 'Active',
  kogitoprocversion: '1.0',
  kogitoprocid: 'serviceTelemetryProcess',
  data: { serviceId: SAMPLE_SERVICE_ID, namespaces: ['NAMESPACE_1', 'NAMESPACE_2'], prometheus: { host: '10.10.10.4', port: 30180 } },
} as const

export const samplePlatformRequest = {
  specversion: '1.0',
  id: '0b7e6a0e-5d51-4d1e-9a57-1f0c2f7c9d11',
  source: '/process/platformServiceTelemetryProcess',
  type: 'telemetry-platform-service',
  time: '2024-10-30T11:30:00.000000000+02:00',
  kogitoproctype: 'BPMN',
  kogitoprocinstanceid: '6f1d9c3a-2b7e-4b8f-8a51-3c9e0d7a4b22',
  kogitoprocist: 'Active',
  kogitoprocversion: '1.0',
  kogitoprocid: 'platformServiceTelemetryProcess',
  data: { serviceId: 'hypo-platform-sonata', namespaces: ['hypo-system'], serviceName: 'SONATA' },
} as const

export const sampleDeleteRequest = {
  specversion: '1.0',
  id: '898483a5-ebde-48c8-8a8a-2abd1bacacd5',
  source: '/process/serviceTelemetryDeleteProcess',
  type: 'telemetry-delete-prometheus-job-and-grafana-dashboard',
  time: '2024-11-11T14:31:44.365936393+02:00',
  kogitoproctype: 'BPMN',
  kogitoprocinstanceid: 'db641bde-d7d9-4ba0-87b7-2641a9aee28f',
  kogitoprocist: 'Active',
  kogitoprocversion: '1.0',
  kogitoprocid: 'serviceTelemetryDeleteProcess',
  data: { serviceId: SAMPLE_SERVICE_ID },
} as const
