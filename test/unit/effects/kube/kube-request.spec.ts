/**
 * The per-call middleware of every Kubernetes call: a timeout signal always, and the CLIENT span's
 * W3C headers only when there is a span (tracing off: nothing is added to the request).
 */
import { expect } from 'chai'
import { HttpMethod, RequestContext, type ConfigurationOptions } from '@kubernetes/client-node'
import { timeoutOptions } from '../../../../src/effects/kube/kube-request.js'

/** The request as client-node sends it after every `pre` hook of the options ran. */
const prepared = async (options: ConfigurationOptions): Promise<RequestContext> => {
  let context = new RequestContext('https://apiserver.example/api/v1/namespaces/monitoring/secrets/s', HttpMethod.GET)
  // client-node's own Observable stub (not RxJS): toPromise is how its callers read it
  // eslint-disable-next-line rxjs-x/no-topromise
  for (const middleware of options.middleware ?? []) context = await middleware.pre(context).toPromise()
  return context
}

describe('Kubernetes per-call middleware (timeoutOptions)', () => {
  it("sends the CLIENT span's traceparent and tracestate as request headers", async () => {
    const trace = { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', tracestate: 'sonata=abc' }
    const context = await prepared(timeoutOptions(1000, undefined, trace))
    expect(context.getHeaders()).to.include(trace)
    expect(context.getSignal()?.aborted).to.equal(false)
  })

  it('without a span (tracing off) adds no header at all, only the timeout', async () => {
    const context = await prepared(timeoutOptions(1000))
    expect(context.getHeaders()).to.deep.equal({})
    expect(context.getSignal()).to.be.an.instanceOf(AbortSignal)
  })
})
