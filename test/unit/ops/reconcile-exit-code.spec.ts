import { expect } from 'chai'
import type { Drift } from '../../../src/ops/reconcile/drift.js'
import { reconcileExitCode, type ReconcileReport } from '../../../src/ops/reconcile/reconcile.js'

const drift: Drift = { kind: 'job-missing', serviceId: 'svc-1', jobName: 'svc-1' }
const report = (o: Partial<ReconcileReport>): ReconcileReport => ({
  dryRun: false,
  backend: 'secret',
  requestId: null,
  checked: 1,
  busy: [],
  drift: [],
  repairs: [],
  ...o,
})
const repaired = (ok: boolean) => [{ serviceId: 'svc-1', recorded: ok ? true : null, outcomes: [{ drift, ok, detail: '', events: [] }] }]

describe('ops/reconcile exit code', () => {
  describe('--dry-run (terraform plan -detailed-exitcode)', () => {
    it('given no drift, then 0', () => {
      expect(reconcileExitCode(report({ dryRun: true }))).to.equal(0)
    })

    it('given drift, then 2', () => {
      expect(reconcileExitCode(report({ dryRun: true, drift: [drift] }))).to.equal(2)
    })

    it("given only busy services, then 0 (they are the running service's, not drift)", () => {
      expect(reconcileExitCode(report({ dryRun: true, busy: ['svc-2'] }))).to.equal(0)
    })
  })

  describe('repairing', () => {
    it('given no drift, then 0', () => {
      expect(reconcileExitCode(report({}))).to.equal(0)
    })

    it('given drift that was repaired, then 0', () => {
      expect(reconcileExitCode(report({ requestId: 'reconcile:x', drift: [drift], repairs: repaired(true) }))).to.equal(0)
    })

    it('given a repair that failed, then 1', () => {
      expect(reconcileExitCode(report({ requestId: 'reconcile:x', drift: [drift], repairs: repaired(false) }))).to.equal(1)
    })
  })
})
