/**
 * Fault points for crash-recovery tests: `TELEMETRY_CRASH_AT=<moment>:<step>` makes the process
 * SIGKILL itself the first time it reaches that point, exactly like `kill -9` from outside, but at
 * a chosen step. Moments: `before-effect` (decided, nothing done), `after-effect` (the effect
 * happened, its outcome is not recorded yet), `after-append` (the outcome is recorded). Steps are
 * decide()'s step types (registerJob, upsertDashboard, removeJob, deleteDashboards, complete,
 * publishResult). Unset in production: then this is a no-op.
 */
export type CrashMoment = 'before-effect' | 'after-effect' | 'after-append'
export type CrashPoint = (moment: CrashMoment, step: string) => void

export const CRASH_ENV = 'TELEMETRY_CRASH_AT'

export const crashPointFromEnv = (
  env: Readonly<Record<string, string | undefined>>,
  kill: () => void = () => process.kill(process.pid, 'SIGKILL'),
): CrashPoint => {
  const target = env[CRASH_ENV]
  if (target === undefined || target === '') return () => undefined
  return (moment, step) => {
    if (`${moment}:${step}` === target) kill()
  }
}
