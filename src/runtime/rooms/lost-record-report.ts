/**
 * The ownership record is never silently lost: every job edit whose outcome says it met a job the
 * event log claims but the record (the secret's ownership key, a ScrapeConfig's mark) does not
 * list counts in `telemetry_ownership_record_lost_total` and logs an error naming it, whether the
 * job matched the log (treated as ours, the record written again) or not (the request failed).
 * `telemetry-client doctor` and the runbook's adopt path are the repair.
 */
import { tap } from 'rxjs'
import type { ScrapeTargets } from '../../effects/kube/scrape-targets.js'
import type { Logger } from '../../support/logger.js'
import type { Metrics } from '../metrics.js'
import { logTraceFields } from '../../support/tracing/trace-context.js'

export const reportingLostRecords = (
  targets: ScrapeTargets,
  backend: 'secret' | 'scrapeconfig',
  metrics: Pick<Metrics, 'ownershipRecordLost'>,
  logger: Logger,
): ScrapeTargets => ({
  // `trace`: the submitting step's context, passed on (the group commit links to it) and logged
  submit: (edit, trace) =>
    targets.submit(edit, trace).pipe(
      tap((outcome) => {
        if (outcome.lostRecord === undefined) return
        const verdict = outcome.ok ? 'matched-log' : 'refused'
        metrics.ownershipRecordLost.inc({ backend, verdict })
        const jobName = edit.op === 'upsert' ? edit.job.job_name : edit.jobName
        logger.error(
          { jobName, op: edit.op, backend, verdict, detail: outcome.lostRecord, ...logTraceFields(trace) },
          'ownership record lost: run telemetry-client doctor, then telemetry-client adopt (runbook "Ownership record lost")',
        )
      }),
    ),
})
