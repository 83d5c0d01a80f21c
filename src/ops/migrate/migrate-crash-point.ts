/**
 * migrate's fault point for crash tests, read from the same variable as the service's
 * (`TELEMETRY_CRASH_AT`, see streams/crash-points.ts): `migrate:after-apply:<n>` makes the
 * process SIGKILL itself right after the n-th ScrapeConfig it applied, before that job is removed
 * from the secret. Unset in production: then this is a no-op.
 */
import { CRASH_ENV } from '../../streams/crash-points.js'

export const migrateCrashPointFromEnv = (
  env: Readonly<Record<string, string | undefined>>,
  kill: () => void = () => process.kill(process.pid, 'SIGKILL'),
): ((point: string) => void) => {
  const target = env[CRASH_ENV]
  if (target === undefined || !target.startsWith('migrate:')) return () => undefined
  return (point) => {
    if (point === target) kill()
  }
}
