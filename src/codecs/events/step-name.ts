import * as t from 'io-ts'

/** The steps a request goes through; a StepFailed names one, the snapshot lists the done ones. */
export const StepName = t.keyof({ registerJob: null, removeJob: null, upsertDashboard: null, deleteDashboards: null, publishResult: null }, 'StepName')
export type StepName = t.TypeOf<typeof StepName>
