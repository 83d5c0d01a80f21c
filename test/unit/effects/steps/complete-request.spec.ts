import { map } from 'rxjs'
import type { TestScheduler } from 'rxjs/testing'
import type { ServiceEvent } from '../../../../src/codecs/events.js'
import { completeRequest$ } from '../../../../src/effects/steps/complete-request.js'
import { resultIdOf } from '../../../../src/state/ids.js'
import { SERVICE, createAccepted, dashboardUpserted, jobRegistered, stepFailed, uidOf } from '../../../fixtures/events.js'
import { testScheduler } from '../../../support/marbles.js'
import { NOW, nextStep, stateAfter, stepDeps } from '../step-deps-fakes.js'

/** The `data` of the result message a RequestCompleted event carries. */
const resultDataOf = (events: readonly ServiceEvent[]): unknown => {
  const [completed] = events
  if (completed?.type !== 'RequestCompleted') throw new Error(`expected RequestCompleted, got ${completed?.type}`)
  return (JSON.parse(completed.result.value) as { data: unknown }).data
}

describe('completeRequest$', () => {
  let scheduler: TestScheduler
  beforeEach(() => {
    scheduler = testScheduler()
  })

  it('records SUCCESS with the exact result message at once (no I/O); the result id is a UUID v5 of the request id', () => {
    const log = [
      createAccepted('r1'),
      jobRegistered('r1', 'job:NAMESPACE_1,NAMESPACE_2@10.10.10.4:30180'),
      dashboardUpserted('r1', 'metrics', 'metrics:NAMESPACE_1,NAMESPACE_2'),
      dashboardUpserted('r1', 'logs', 'logs:NAMESPACE_1,NAMESPACE_2'),
    ]
    const step = nextStep(log, 'complete')
    const envelope = {
      specversion: '1.0',
      id: resultIdOf('r1'),
      source: '/telemetry-client',
      type: 'sonata-service-dashboard-result',
      time: NOW,
      datacontenttype: 'application/json',
      kogitoprocid: 'serviceTelemetryProcess',
      kogitoprocrefid: 'proc-r1',
      kogitoprocinstanceid: 'proc-r1',
      data: {
        dashboardId: uidOf(SERVICE, 'metrics'),
        serviceId: SERVICE,
        metricsDashboardUrl: `https://grafana.example/d/${uidOf(SERVICE, 'metrics')}`,
        logsDashboardUrl: `https://grafana.example/d/${uidOf(SERVICE, 'logs')}`,
        dashboardDataOrderStatus: 'SUCCESS',
        dashboardDataOrderMessage: 'Telemetry was successful',
      },
    }
    scheduler.run(({ expectObservable }) => {
      expectObservable(completeRequest$(step, stateAfter(log), stepDeps())).toBe('(e|)', {
        e: [
          {
            v: 1,
            requestId: 'r1',
            at: NOW,
            type: 'RequestCompleted',
            status: 'SUCCESS',
            resultId: resultIdOf('r1'),
            result: { topic: 'sonata-service-dashboard-result', key: SERVICE, value: JSON.stringify(envelope) },
          },
        ],
      })
    })
  })

  it('records FAILURE, naming the failed step and its reason, when a step of the request failed', () => {
    const log = [createAccepted('r1'), stepFailed('r1', 'registerJob', 'Kubernetes answered 403: forbidden')]
    const step = nextStep(log, 'complete')
    scheduler.run(({ expectObservable }) => {
      // only the result's data differs from the SUCCESS case
      expectObservable(completeRequest$(step, stateAfter(log), stepDeps()).pipe(map(resultDataOf))).toBe('(d|)', {
        d: {
          dashboardId: '',
          serviceId: SERVICE,
          metricsDashboardUrl: '',
          logsDashboardUrl: '',
          dashboardDataOrderStatus: 'FAILURE',
          dashboardDataOrderMessage: 'Failed while registering the Prometheus scrape job: Kubernetes answered 403: forbidden',
        },
      })
    })
  })
})
