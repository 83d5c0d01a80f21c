import { expect } from 'chai'
import { unsafeRedisSettings } from '../../../../src/state/store/redis-settings.js'

const safe = { appendonly: 'yes', appendfsync: 'always', 'maxmemory-policy': 'noeviction' }

describe('state/store/redis-settings', () => {
  it('given the settings the guarantees rely on, then nothing is unsafe', () => {
    expect(unsafeRedisSettings({ version: '7.0.15', values: safe })).to.deep.equal([])
  })

  it('given no AOF and an eviction policy, then each is named with what it should be', () => {
    const unsafe = unsafeRedisSettings({ version: '7.0.15', values: { ...safe, appendonly: 'no', 'maxmemory-policy': 'allkeys-lru' } })
    expect(unsafe.map((u) => [u.setting, u.value, u.expected])).to.deep.equal([
      ['appendonly', 'no', 'yes'],
      ['maxmemory-policy', 'allkeys-lru', 'noeviction'],
    ])
  })

  it('given appendfsync everysec, then unsafe, pointing at WAITAOF only where Redis has it (≥ 7.2)', () => {
    const everysec = { ...safe, appendfsync: 'everysec' }
    expect(unsafeRedisSettings({ version: '7.0.15', values: everysec }).map((u) => u.expected)).to.deep.equal(['always'])
    expect(unsafeRedisSettings({ version: '7.2.4', values: everysec }).map((u) => u.expected)).to.deep.equal(['always (or WAITAOF, available on this Redis)'])
    expect(unsafeRedisSettings({ version: '8.0.0', values: { ...safe, appendfsync: 'no' } }).map((u) => u.setting)).to.deep.equal(['appendfsync'])
  })

  it('given no AOF, then its fsync policy is not reported on top', () => {
    expect(unsafeRedisSettings({ values: { ...safe, appendonly: 'no', appendfsync: 'no' } }).map((u) => u.setting)).to.deep.equal(['appendonly'])
  })

  it('given settings that could not be read, then none is judged', () => {
    expect(unsafeRedisSettings({ values: {} })).to.deep.equal([])
  })
})
