import { expect } from 'chai'
import { keySlot } from '../../../src/state/store/key-slot.js'

// every expected slot is what `CLUSTER KEYSLOT` answered on redis-server 7.0.15
describe('keySlot', () => {
  it('hashes a plain key like CLUSTER KEYSLOT', () => {
    expect(keySlot('foo')).to.equal(12182)
    expect(keySlot('123456789')).to.equal(12739)
  })

  it('hashes only the first non-empty hash tag', () => {
    expect(keySlot('tc:{svc:a}:events')).to.equal(602)
    expect(keySlot('svc:a')).to.equal(602)
    expect(keySlot('foo{{bar}}zap')).to.equal(4015)
  })

  it('hashes the whole key when the first tag is empty', () => {
    expect(keySlot('foo{}{bar}')).to.equal(8363)
  })

  it('hashes the UTF-8 bytes of the key', () => {
    expect(keySlot('svc:é')).to.equal(15569)
  })
})
