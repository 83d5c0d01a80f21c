import { expect } from 'chai'
import fc from 'fast-check'
import type { DashboardRole } from '../../../../src/codecs/dashboard-role.js'
import {
  MANAGED_BY_LABEL,
  MANAGED_TAG,
  SERVICE_ID_ANNOTATION,
  SERVICE_LABEL,
  dashboardUid,
  markedAs,
  ownershipLabels,
  ownershipSelector,
  serviceLabelValue,
  serviceTag,
  titleDiscriminator,
} from '../../../../src/effects/grafana/dashboard-uids.js'
import { Folders } from '../../../../src/effects/grafana/folders.js'

const ROLES: readonly DashboardRole[] = ['metrics', 'logs', 'platform']
const UID = /^[A-Za-z0-9_-]{1,40}$/
/** Anything the codec lets through, plus arbitrary strings (defense in depth). */
const serviceId = fc.oneof(fc.uuid(), fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/), fc.string({ minLength: 1, maxLength: 200, unit: 'binary' }))

describe('dashboard-uids', () => {
  it('given a UUID serviceId, then a readable uid per role', () => {
    const id = 'ecc4345a-2097-4c3b-a40c-a9e791cdccbb'
    expect(dashboardUid(id, 'metrics')).to.equal(`tcm-${id}`)
    expect(dashboardUid(id, 'logs')).to.equal(`tcl-${id}`)
    expect(dashboardUid(id, 'platform')).to.equal(`tcp-${id}`)
  })

  it('given dots, upper case or a long id, then the hashed form (tc?_ + 32 hex)', () => {
    for (const id of ['svc.1', 'Svc', 'x'.repeat(37), 'a_b']) {
      expect(dashboardUid(id, 'metrics')).to.match(/^tcm_[0-9a-f]{32}$/)
    }
  })

  it('is lower case, so it stays unique where Grafana compares uids case-insensitively', () => {
    expect(dashboardUid('ABC', 'logs').toLowerCase()).to.not.equal(dashboardUid('abc', 'logs').toLowerCase())
    fc.assert(
      fc.property(serviceId, serviceId, (a, b) => {
        fc.pre(a !== b)
        expect(dashboardUid(a, 'logs').toLowerCase()).to.not.equal(dashboardUid(b, 'logs').toLowerCase())
      }),
    )
  })

  it('is at most 40 chars of [A-Za-z0-9_-] and deterministic, for any serviceId', () => {
    fc.assert(
      fc.property(serviceId, fc.constantFrom(...ROLES), (id, role) => {
        const uid = dashboardUid(id, role)
        expect(uid).to.match(UID)
        expect(dashboardUid(id, role)).to.equal(uid)
      }),
    )
  })

  it('differs across roles and across serviceIds (injective)', () => {
    fc.assert(
      fc.property(serviceId, serviceId, fc.constantFrom(...ROLES), fc.constantFrom(...ROLES), (a, b, r1, r2) => {
        fc.pre(a !== b || r1 !== r2)
        expect(dashboardUid(a, r1)).to.not.equal(dashboardUid(b, r2))
      }),
      { numRuns: 2000 },
    )
  })

  it('readable and hashed forms never meet: an id that looks like a hash still differs', () => {
    const hashed = dashboardUid('svc.1', 'metrics')
    const lookalike = hashed.slice(4)
    expect(dashboardUid(lookalike, 'metrics')).to.not.equal(hashed)
  })

  describe('serviceTag', () => {
    it('given a UUID, then service:<id>', () => {
      expect(serviceTag('ecc4345a-2097-4c3b-a40c-a9e791cdccbb')).to.equal('service:ecc4345a-2097-4c3b-a40c-a9e791cdccbb')
    })
    it('fits Grafana tag limits (<= 50 chars) and is injective', () => {
      fc.assert(
        fc.property(serviceId, serviceId, (a, b) => {
          expect(serviceTag(a).length).to.be.at.most(50)
          if (a !== b) expect(serviceTag(a)).to.not.equal(serviceTag(b))
        }),
        { numRuns: 2000 },
      )
    })
  })

  it('exports the managed tag and the three spec folders', () => {
    expect(MANAGED_TAG).to.equal('etsi-hypo-telemetry')
    expect(Folders).to.deep.equal({
      metrics: { uid: 'etsi-hypo-app-metrics', title: 'ETSI HypO App Metrics' },
      logs: { uid: 'etsi-hypo-end-user-service-logs', title: 'ETSI HypO End-User Service Logs' },
      platform: { uid: 'etsi-hypo-platform-service-logs', title: 'ETSI HypO Platform Service Logs' },
    })
    for (const folder of Object.values(Folders)) expect(folder.uid).to.match(UID)
  })

  describe('titleDiscriminator', () => {
    it('given an all-lowercase id, then nothing; otherwise a hash suffix', () => {
      expect(titleDiscriminator('abc')).to.equal('')
      expect(titleDiscriminator('ABC')).to.match(/^ \[#[0-9a-f]{12}\]$/)
    })
    it('given any two different valid ids, then titles that differ case-insensitively', () => {
      const validId = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,20}$/)
      fc.assert(
        fc.property(validId, validId, (a, b) => {
          const title = (id: string) => `App Metrics — ${id}${titleDiscriminator(id)}`.toLowerCase()
          if (a !== b) expect(title(a)).to.not.equal(title(b))
        }),
      )
      expect(`x ABC${titleDiscriminator('ABC')}`.toLowerCase()).to.not.equal(`x Abc${titleDiscriminator('Abc')}`.toLowerCase())
    })
  })
})

describe('ownership labels (/apis)', () => {
  const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/
  it('a lower-case id that is a valid label value stays readable; any other id takes sha256. + 32 hex', () => {
    expect(serviceLabelValue('ecc4345a-2097-4c3b-a40c-a9e791cdccbb')).to.equal('ecc4345a-2097-4c3b-a40c-a9e791cdccbb')
    expect(serviceLabelValue('ABC')).to.match(/^sha256\.[0-9a-f]{32}$/)
    expect(serviceLabelValue('a.b')).to.match(/^sha256\./)
    expect(serviceLabelValue('x'.repeat(64))).to.match(/^sha256\./)
    expect(serviceLabelValue('ABC')).to.not.equal(serviceLabelValue('abc'))
  })
  it('is a valid Kubernetes label value for any serviceId, and distinct ids get distinct values', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/), fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/), (a, b) => {
        expect(serviceLabelValue(a)).to.match(LABEL_VALUE)
        if (a !== b) expect(serviceLabelValue(a)).to.not.equal(serviceLabelValue(b))
      }),
    )
  })
  it('the selector finds the labels; markedAs also wants the exact id in the annotation', () => {
    expect(ownershipSelector('svc-1')).to.equal(`${MANAGED_BY_LABEL}=telemetry-client,${SERVICE_LABEL}=svc-1`)
    const labels = ownershipLabels('ABC')
    expect(markedAs('ABC', labels, { [SERVICE_ID_ANNOTATION]: 'ABC' })).to.equal(true)
    expect(markedAs('ABC', labels, { [SERVICE_ID_ANNOTATION]: 'abc' })).to.equal(false)
    expect(markedAs('ABC', labels, undefined)).to.equal(false)
    expect(markedAs('ABC', { ...labels, [MANAGED_BY_LABEL]: 'someone' }, { [SERVICE_ID_ANNOTATION]: 'ABC' })).to.equal(false)
  })
})
