import { expect } from 'chai'
import { createHash } from 'node:crypto'
import { rejectionRecords } from '../../../../src/streams/kafka/dead-letter.js'
import { RequestTopics } from '../../../../src/codecs/topics.js'

const ctx = { sourceUri: '/telemetry-client', grafanaPublicUrl: 'http://grafana.test' }
const LIMIT = 1_000_000

const letterOf = (value: Buffer | null, key: string | null = null, reasons: readonly string[] = ['malformed JSON: x']) => {
  const [record] = rejectionRecords(
    { topic: RequestTopics.create, partition: 0, offset: '7', key, value },
    { reason: reasons[0] ?? '', reasons, kogito: {} },
    'telemetry-dead-letter',
    '2026-11-30T00:00:00.000Z',
    ctx,
    LIMIT,
  )
  if (record === undefined) throw new Error('no dead letter')
  return { record, body: JSON.parse(record.value) as Record<string, unknown> }
}

describe('effects/dead-letter', () => {
  it('given a small payload, then the whole of it, its size and sha256', () => {
    const value = Buffer.from('{ not json')
    const { body } = letterOf(value)
    expect(body).to.include({
      valueBase64: value.toString('base64'),
      valueBytes: value.length,
      valueSha256: createHash('sha256').update(value).digest('hex'),
      valueTruncated: false,
    })
  })

  it('given a 900 KB garbage record, then a dead letter within KAFKA_MAX_RECORD_BYTES carrying a prefix, the size and the sha256 of the whole', () => {
    const value = Buffer.alloc(900_000, 0xab)
    const { record, body } = letterOf(value)
    expect(Buffer.byteLength(record.value) + Buffer.byteLength(record.key)).to.be.at.most(LIMIT)
    expect(body).to.include({ valueBytes: 900_000, valueTruncated: true, valueSha256: createHash('sha256').update(value).digest('hex') })
    const prefix = Buffer.from(String(body['valueBase64']), 'base64')
    expect(prefix.length).to.be.above(500_000)
    expect(value.subarray(0, prefix.length).equals(prefix)).to.be.true
  })

  it('given a huge key and thousands of long reasons, then still bounded: key cut, at most 20 reasons of at most 1024 characters', () => {
    const reasons = Array.from({ length: 5000 }, (_, i) => `data.namespaces.${i}: ${'x'.repeat(2000)}`)
    const { record, body } = letterOf(Buffer.alloc(999_000, 0x20), 'k'.repeat(500_000), reasons)
    expect(Buffer.byteLength(record.value) + Buffer.byteLength(record.key)).to.be.at.most(LIMIT)
    expect(record.key).to.equal('')
    expect(body['reasons']).to.have.length(20)
    expect(String(body['key']).length).to.equal(1024)
  })

  it('given a tombstone, then no payload and no hash', () => {
    expect(letterOf(null).body).to.include({ valueBase64: null, valueBytes: 0, valueSha256: null, valueTruncated: false })
  })
})
