/**
 * The Redis Cluster hash slot of a key (CRC16/XMODEM of the key, or of its hash tag, mod 16384),
 * as the Redis Cluster specification defines it. The event store needs it to split a batch into
 * pipelines that each go to one master; ioredis keeps its own copy internal.
 */

const SLOTS = 16384

const CRC16_TABLE: readonly number[] = Array.from({ length: 256 }, (_, byte) => {
  let crc = byte << 8
  for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff
  return crc
})

const crc16 = (bytes: Uint8Array): number => {
  let crc = 0
  for (const byte of bytes) crc = ((crc << 8) & 0xffff) ^ CRC16_TABLE[((crc >> 8) ^ byte) & 0xff]!
  return crc
}

/** The part of the key that is hashed: the first non-empty `{...}`, else the whole key. */
const hashedPart = (key: Buffer): Buffer => {
  const open = key.indexOf('{')
  if (open < 0) return key
  const close = key.indexOf('}', open + 1)
  return close <= open + 1 ? key : key.subarray(open + 1, close)
}

export const keySlot = (key: string): number => crc16(hashedPart(Buffer.from(key, 'utf8'))) % SLOTS
