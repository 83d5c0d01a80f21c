import { expect } from 'chai'
import { isLeft } from 'fp-ts/lib/Either.js'
import { DASHBOARD_ROLES, DashboardRole } from '../../../src/codecs/dashboard-role.js'

describe('codecs/dashboard-role', () => {
  it('lists every role once, in creation order', () => {
    expect(DASHBOARD_ROLES).to.deep.equal(['metrics', 'logs', 'platform'])
  })

  it('decodes exactly those roles', () => {
    for (const role of DASHBOARD_ROLES) expect(DashboardRole.is(role)).to.equal(true)
    expect(isLeft(DashboardRole.decode('Metrics'))).to.equal(true)
  })
})
