/**
 * The service's lanes over a test's store and step runner, with defaults that keep every timer of
 * its own out of the way (one lane at a time, sweeps and retries an hour apart): a spec overrides
 * only what it is about.
 */
import { startServiceLanes, type LaneDeps, type ServiceLanes } from '../../src/streams/service-lanes.js'
import { fakeDesired } from '../fixtures/events.js'

export type TestLaneDeps = Pick<LaneDeps, 'store' | 'runStep' | 'onEvent' | 'onHandlerError'> & Partial<LaneDeps>

export const startTestLanes = (deps: TestLaneDeps): ServiceLanes =>
  startServiceLanes({
    desired: fakeDesired,
    nowMs: () => Date.now(),
    crash: () => undefined,
    maxActive: 1,
    idleMs: 60_000,
    sweepIntervalMs: 3_600_000,
    retryDelayMs: 3_600_000,
    busyRetryMs: 3_600_000,
    ...deps,
  })
