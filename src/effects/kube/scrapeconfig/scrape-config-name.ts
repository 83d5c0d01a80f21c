/**
 * The ScrapeConfig object name of a service: a DNS-1123 subdomain (lower case `[a-z0-9-]`,
 * alphanumeric at both ends, at most 253 characters) that is an INJECTIVE function of the
 * serviceId, so two services can never share (and overwrite or delete) one object.
 *
 * A serviceId is `[A-Za-z0-9][A-Za-z0-9_.-]*`, at most 128 characters. Upper case, `_` and `.`
 * cannot appear in a name (`.` can, but not twice in a row nor next to `-`), so the id is split
 * into two parts that together determine it:
 *
 * - the body: the id lower-cased, with each of `_ . -` written as `-` (readable, and for the
 *   usual UUID serviceId it is the id itself);
 * - the tag: what the body lost, as one mixed-radix number: every letter contributes a digit in
 *   base 2 (0 lower, 1 upper), every `-` of the body one in base 3 (0 `-`, 1 `_`, 2 `.`); digits
 *   contribute nothing. Written in base 36, `0` when nothing was lost.
 *
 * name = body + `-` + tag. The tag holds only `[a-z0-9]`, so the LAST `-` of the name separates
 * the two; the body fixes the radix of every position, so the tag decodes back to the exact id
 * (`serviceIdOfScrapeConfigName`), which is what makes the scheme injective without a hash.
 * Length: at most 128 + 1 + 40 (3^128 < 36^40) = 169 characters. The name ends with the tag and
 * starts like the id, so it is alphanumeric at both ends.
 */

const LETTER = /[A-Za-z]/
const DASHES = ['-', '_', '.'] as const

/** The object name for a serviceId the codecs accept (`ServiceId`). */
export const scrapeConfigName = (serviceId: string): string => {
  let body = ''
  let tag = 0n
  let weight = 1n
  for (const ch of serviceId) {
    if (LETTER.test(ch)) {
      body += ch.toLowerCase()
      if (ch !== ch.toLowerCase()) tag += weight
      weight *= 2n
    } else if (ch === '-' || ch === '_' || ch === '.') {
      body += '-'
      tag += weight * BigInt(DASHES.indexOf(ch))
      weight *= 3n
    } else {
      body += ch
    }
  }
  return `${body}-${tag.toString(36)}`
}

const parseBase36 = (text: string): bigint | undefined => {
  if (!/^[0-9a-z]+$/.test(text)) return undefined
  let value = 0n
  for (const ch of text) value = value * 36n + BigInt(parseInt(ch, 36))
  return value
}

/** The inverse of `scrapeConfigName`; undefined for a name it cannot have produced. */
export const serviceIdOfScrapeConfigName = (name: string): string | undefined => {
  const cut = name.lastIndexOf('-')
  if (cut <= 0) return undefined
  let tag = parseBase36(name.slice(cut + 1))
  if (tag === undefined) return undefined
  let id = ''
  for (const ch of name.slice(0, cut)) {
    if (/[a-z]/.test(ch)) {
      id += tag % 2n === 1n ? ch.toUpperCase() : ch
      tag /= 2n
    } else if (ch === '-') {
      id += DASHES[Number(tag % 3n)] ?? '-'
      tag /= 3n
    } else if (/[0-9]/.test(ch)) {
      id += ch
    } else {
      return undefined
    }
  }
  // a tag larger than the body's positions can hold came from somewhere else
  return tag === 0n && scrapeConfigName(id) === name ? id : undefined
}
