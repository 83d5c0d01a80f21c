/**
 * The stored snapshot of one service (see state/service-state.ts). Snapshots are derived data:
 * one that does not decode is ignored and the state is rebuilt from the event log.
 */
import * as t from 'io-ts'
import { RequestAccepted, ResultRecord, StepName } from './events.js'

const AppliedDashboard = t.type({ uid: t.string, id: t.number, url: t.string, version: t.number, folderUid: t.string, fingerprint: t.string })
const Status = t.keyof({ SUCCESS: null, FAILURE: null })

export const ServiceSnapshot = t.type(
  {
    serviceId: t.string,
    version: t.number,
    status: t.keyof({ new: null, active: null, deleted: null, failed: null }),
    lastChangeAt: t.union([t.string, t.null]),
    job: t.union([t.type({ jobName: t.string, fingerprint: t.string }), t.null]),
    dashboards: t.partial({ metrics: AppliedDashboard, logs: AppliedDashboard, platform: AppliedDashboard }),
    pending: t.array(
      t.intersection([
        t.type({
          requestId: t.string,
          request: RequestAccepted.types[0].props.request,
          kogito: t.record(t.string, t.string),
          acceptedAt: t.string,
          done: t.array(StepName),
          failure: t.union([t.intersection([t.type({ step: StepName, reason: t.string }), t.partial({ retryAt: t.string })]), t.null]),
          redeliveries: t.number,
          removed: t.type({ job: t.boolean, dashboardUids: t.array(t.string) }),
        }),
        t.partial({ publishedAt: t.string, attempts: t.number }),
      ]),
    ),
    outstanding: t.array(t.type({ requestId: t.string, resultId: t.string, result: ResultRecord, copies: t.number })),
    completed: t.array(t.type({ requestId: t.string, resultId: t.string, status: Status, result: ResultRecord })),
    lastCompletedPublishedAt: t.union([t.string, t.null]),
  },
  'ServiceSnapshot',
)
export type ServiceSnapshot = t.TypeOf<typeof ServiceSnapshot>

