/**
 * The doctor's verdict, pure: one line per check, a summary, the exit code and the JSON form.
 * Warnings never fail the run: they name something the service copes with (a folder it will
 * create, a figure that cannot be measured) but that an operator should know about.
 */
import type { CheckStatus, DoctorCheck } from '../../support/doctor-check.js'

export interface DoctorReport {
  readonly checks: readonly DoctorCheck[]
}

const LABEL: Readonly<Record<CheckStatus, string>> = { ok: 'ok     ', warning: 'warning', fail: 'FAIL   ' }

export const countByStatus = (report: DoctorReport): Readonly<Record<CheckStatus, number>> => ({
  ok: report.checks.filter((c) => c.status === 'ok').length,
  warning: report.checks.filter((c) => c.status === 'warning').length,
  fail: report.checks.filter((c) => c.status === 'fail').length,
})

/** `ok      name: reason`, and `  → action` on the same line when there is something to do. */
export const formatCheck = (check: DoctorCheck): string =>
  `${LABEL[check.status]} ${check.name}: ${check.reason}${check.action === '' ? '' : ` → ${check.action}`}`

export const formatDoctor = (report: DoctorReport): string => {
  const counts = countByStatus(report)
  return [...report.checks.map(formatCheck), '', `${counts.ok} ok, ${counts.warning} warning(s), ${counts.fail} failed`].join('\n')
}

/** 0 when nothing failed (warnings allowed), 1 otherwise. */
export const doctorExitCode = (report: DoctorReport): number => (report.checks.some((c) => c.status === 'fail') ? 1 : 0)

export const doctorJson = (report: DoctorReport): unknown => ({
  ok: doctorExitCode(report) === 0,
  counts: countByStatus(report),
  checks: report.checks,
})
