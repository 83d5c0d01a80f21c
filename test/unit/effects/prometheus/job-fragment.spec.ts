import { expect } from 'chai'
import sinon from 'sinon'
import { jobFragment, memoizedFragments } from '../../../../src/effects/prometheus/job-fragment.js'
import { fragment } from '../../../../src/effects/prometheus/scrape-config-list.js'
import { federationJob } from '../../../../src/effects/prometheus/scrape-job.js'

const job = (serviceId: string, host = '10.10.10.4') => federationJob({ serviceId, namespaces: ['NAMESPACE_1'], host, port: 30180 })

describe('job-fragment', () => {
  it('given a job, then the same text as fragment (what the secret writer splices in)', () => {
    expect(jobFragment(job('svc-a'))).to.equal(fragment(job('svc-a')))
  })

  it('given the same job twice (the door, then the writer), then it is rendered once', () => {
    const render = sinon.spy(fragment)
    const memo = memoizedFragments(render, 8)
    const first = memo(job('svc-a'))
    expect(memo(job('svc-a'))).to.equal(first)
    expect(render.callCount).to.equal(1)
  })

  it('given a job that differs in any field, then it is rendered anew', () => {
    const render = sinon.spy(fragment)
    const memo = memoizedFragments(render, 8)
    memo(job('svc-a'))
    expect(memo(job('svc-a', '10.10.10.5'))).to.include('10.10.10.5:30180')
    expect(render.callCount).to.equal(2)
  })

  it('given more jobs than it keeps, then the oldest goes first and a forgotten job renders again, same text', () => {
    const render = sinon.spy(fragment)
    const memo = memoizedFragments(render, 2)
    const a = memo(job('svc-a'))
    memo(job('svc-b'))
    memo(job('svc-c'))
    memo(job('svc-c'))
    expect(render.callCount).to.equal(3)
    expect(memo(job('svc-a'))).to.equal(a)
    expect(render.callCount).to.equal(4)
  })
})
