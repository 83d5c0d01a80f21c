import { expect } from 'chai'
import fc from 'fast-check'
import { ServiceId } from '../../../../../src/codecs/primitives.js'
import { scrapeConfigName, serviceIdOfScrapeConfigName } from '../../../../../src/effects/kube/scrapeconfig/scrape-config-name.js'

/** The apiserver's IsDNS1123Subdomain. */
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/
/** Every serviceId the codec accepts, biased towards the characters that need escaping. */
const serviceId = fc.oneof(fc.uuid(), fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/), fc.stringMatching(/^[aA0][aA_.-]{0,127}$/))

describe('scrape-config-name', () => {
  it('given a UUID serviceId, then the id itself plus the tag 0', () => {
    expect(scrapeConfigName('ecc4345a-2097-4c3b-a40c-a9e791cdccbb')).to.equal('ecc4345a-2097-4c3b-a40c-a9e791cdccbb-0')
  })

  it('given upper case, `_` and `.`, then one body and distinct tags', () => {
    const names = ['svc-a', 'svc_a', 'svc.a', 'Svc-a', 'SVC_A'].map(scrapeConfigName)
    expect(names.map((n) => n.slice(0, n.lastIndexOf('-')))).to.deep.equal(Array(5).fill('svc-a'))
    expect(new Set(names).size).to.equal(5)
  })

  it('given the longest ids, then still at most 253 characters', () => {
    expect(scrapeConfigName('A' + '.'.repeat(127))).to.have.length.at.most(169)
    expect(scrapeConfigName('Z'.repeat(128))).to.have.length.at.most(169)
  })

  it('is a DNS-1123 subdomain of at most 253 characters for every serviceId the codec accepts', () => {
    fc.assert(
      fc.property(serviceId, (id) => {
        fc.pre(ServiceId.is(id))
        const name = scrapeConfigName(id)
        expect(name).to.match(DNS1123_SUBDOMAIN)
        expect(name.length).to.be.at.most(253)
      }),
      { numRuns: 2000 },
    )
  })

  it('is injective: the name decodes back to the exact serviceId', () => {
    fc.assert(
      fc.property(serviceId, (id) => {
        expect(serviceIdOfScrapeConfigName(scrapeConfigName(id))).to.equal(id)
      }),
      { numRuns: 2000 },
    )
  })

  it('is injective: two different serviceIds never share a name', () => {
    fc.assert(
      fc.property(serviceId, serviceId, (a, b) => {
        fc.pre(a !== b)
        expect(scrapeConfigName(a)).to.not.equal(scrapeConfigName(b))
      }),
      { numRuns: 2000 },
    )
  })

  it('given a name it cannot have produced, then the inverse says so', () => {
    for (const name of ['nodash', '-0', 'a-b_', 'a-zz', 'a_b-0', 'a-0-']) expect(serviceIdOfScrapeConfigName(name)).to.equal(undefined)
  })
})
