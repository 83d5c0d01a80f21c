import { expect } from 'chai'
import { isLeft } from 'fp-ts/lib/Either.js'
import { DashboardResult, DeleteDashboardResult, OrderStatus, PlatformServiceResult } from '../../../src/codecs/results.js'
import { dashboardResultSample } from '../../fixtures/spec-samples.js'

describe('codecs/results', () => {
  it('decodes the spec result sample exactly', () => {
    expect(DashboardResult.decode(dashboardResultSample.data)).to.deep.equal({ _tag: 'Right', right: dashboardResultSample.data })
  })

  it('encoding strips anything that is not part of the contract', () => {
    const withExtra = { ...dashboardResultSample.data, internal: 'x' }
    expect(DashboardResult.encode(withExtra)).to.deep.equal(dashboardResultSample.data)
    const failure = {
      serviceId: 'bad id',
      logsDashboardUrl: '',
      dashboardId: '',
      dashboardDataOrderStatus: 'FAILURE' as const,
      dashboardDataOrderMessage: 'serviceId: ...',
      x: 1,
    }
    expect(PlatformServiceResult.encode(failure)).to.deep.equal({
      dashboardId: '',
      serviceId: 'bad id',
      logsDashboardUrl: '',
      dashboardDataOrderStatus: 'FAILURE',
      dashboardDataOrderMessage: 'serviceId: ...',
    })
    const del = { serviceId: 's', dashboardDataOrderStatus: 'SUCCESS' as const, dashboardDataOrderMessage: 'ok', deletedDashboardUids: ['a', 'b'] }
    const delWithExtra = { ...del, y: 2 }
    expect(DeleteDashboardResult.encode(delWithExtra)).to.deep.equal(del)
  })

  it('OrderStatus is SUCCESS or FAILURE only', () => {
    expect(OrderStatus.is('SUCCESS') && OrderStatus.is('FAILURE')).to.be.true
    expect(isLeft(OrderStatus.decode('success'))).to.be.true
    expect(isLeft(DashboardResult.decode({ ...dashboardResultSample.data, dashboardDataOrderStatus: 'OK' }))).to.be.true
  })
})
