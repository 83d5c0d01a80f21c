import { expect } from 'chai'
import { formatServiceList, listServices } from '../../../../src/ops/log/list.js'
import { useFixtureLogs } from '../../../support/log-fixture.js'

describe('ops/list', () => {
  const fixture = useFixtureLogs()

  it('lists every indexed service with its status, version and last change', async () => {
    const rows = await listServices(fixture.store)
    const byId = new Map(rows.map((r) => [r.serviceId, r]))
    expect([...byId.keys()].sort()).to.deep.equal(['svc-active', 'svc-gone', 'svc-new'])
    expect(byId.get('svc-active')).to.include({
      status: 'active',
      version: 6,
      pending: 0,
      job: 'svc-active',
      dashboards: 2,
      lastChange: '2024-11-01T10:00:05.000Z',
    })
    expect(byId.get('svc-gone')).to.include({ status: 'deleted', version: 11, job: null, dashboards: 0 })
    expect(byId.get('svc-new')).to.include({ status: 'new', version: 1, pending: 1 })
  })

  it('formats a table with a per-status count', async () => {
    const text = formatServiceList(await listServices(fixture.store))
    const lines = text.split('\n')
    expect(lines[0]).to.match(/^SERVICE\s+STATUS\s+VERSION\s+LAST CHANGE\s+PENDING\s+JOB\s+DASHBOARDS$/)
    expect(text).to.match(/svc-active\s+active\s+6\s+2024-11-01T10:00:05.000Z\s+0\s+yes\s+2/)
    expect(lines[lines.length - 1]).to.equal('3 services: 1 active, 1 deleted, 0 failed, 1 new')
    expect(formatServiceList([])).to.equal('no services')
  })
})
