/**
 * YAML for tests, with the one library the service uses (`yaml`): `dump` is the service's own
 * renderer (YAML 1.1-safe quoting, no folding, aliases inlined), `load`/`loadAll` read any YAML
 * into plain values (empty text is null), throwing on the first error.
 */
import { parse, parseAllDocuments } from 'yaml'
import { yamlText } from '../../src/effects/prometheus/yaml-text.js'

export const dump = (value: unknown): string => yamlText(value)

export const load = (text: string): unknown => parse(text) as unknown

export const loadAll = (text: string): unknown[] =>
  parseAllDocuments(text).map((doc) => {
    const error = doc.errors[0]
    if (error !== undefined) throw error
    return doc.toJS() as unknown
  })
