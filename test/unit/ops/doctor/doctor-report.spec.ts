import { expect } from 'chai'
import { doctorExitCode, doctorJson, formatCheck, formatDoctor } from '../../../../src/ops/doctor/doctor-report.js'
import { checkFail, checkOk, checkWarning } from '../../../../src/support/doctor-check.js'

const ok = checkOk('redis.reachable', 'Redis 7.0.15')
const warning = checkWarning('kafka.clock-offset', 'not measured', 'keep the hosts NTP-synchronised')
const fail = checkFail('grafana.credentials', 'refused (401)', 'set GRAFANA_TOKEN')

describe('ops/doctor report', () => {
  describe('exit code', () => {
    it('given only ok checks, then 0', () => {
      expect(doctorExitCode({ checks: [ok] })).to.equal(0)
    })
    it('given warnings but no failure, then 0 (warnings never fail the run)', () => {
      expect(doctorExitCode({ checks: [ok, warning, warning] })).to.equal(0)
    })
    it('given one failure among ok checks, then 1', () => {
      expect(doctorExitCode({ checks: [ok, warning, fail] })).to.equal(1)
    })
    it('given no checks at all, then 0', () => {
      expect(doctorExitCode({ checks: [] })).to.equal(0)
    })
  })

  describe('text', () => {
    it('one line per check: status, name, reason, and the action after an arrow when there is one', () => {
      expect(formatCheck(ok)).to.equal('ok      redis.reachable: Redis 7.0.15')
      expect(formatCheck(warning)).to.equal('warning kafka.clock-offset: not measured → keep the hosts NTP-synchronised')
      expect(formatCheck(fail)).to.equal('FAIL    grafana.credentials: refused (401) → set GRAFANA_TOKEN')
    })
    it('the checks in order, a blank line, then the counts', () => {
      expect(formatDoctor({ checks: [ok, warning, fail] }).split('\n')).to.deep.equal([
        formatCheck(ok),
        formatCheck(warning),
        formatCheck(fail),
        '',
        '1 ok, 1 warning(s), 1 failed',
      ])
    })
  })

  describe('json', () => {
    it('carries the verdict, the counts and every check', () => {
      expect(doctorJson({ checks: [ok, fail] })).to.deep.equal({ ok: false, counts: { ok: 1, warning: 0, fail: 1 }, checks: [ok, fail] })
      expect(doctorJson({ checks: [warning] })).to.include({ ok: true })
    })
  })
})
