/**
 * What the apiserver checks on a ScrapeConfig before it is stored: the object name (ObjectMeta
 * validation, DNS-1123 subdomain), labels, and the CRD's OpenAPI schema for the spec fields the
 * service writes. Other spec fields are stored as sent (not validated here). Wording follows
 * k8s.io/apimachinery validation and kube-openapi's schema errors, so a 422 reads like a real one.
 */
import type { FieldError } from './scrapeconfig-status.js'

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/
const SUBDOMAIN_MESSAGE =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/
/** Not in the CRD (targets are plain strings there); the simulator holds them to what Prometheus accepts. */
export const TARGET = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?):[0-9]{1,5}$/
const ACTIONS = [
  'replace',
  'Replace',
  'keep',
  'Keep',
  'drop',
  'Drop',
  'hashmod',
  'HashMod',
  'labelmap',
  'LabelMap',
  'labeldrop',
  'LabelDrop',
  'labelkeep',
  'LabelKeep',
  'lowercase',
  'Lowercase',
  'uppercase',
  'Uppercase',
  'keepequal',
  'KeepEqual',
  'dropequal',
  'DropEqual',
]

const quote = (v: unknown): string => JSON.stringify(typeof v === 'string' ? v : String(v))
const isObject = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v)
const typeName = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'number' ? (Number.isInteger(v) ? 'integer' : 'number') : typeof v

const invalidValue = (field: string, value: unknown, detail: string): FieldError => ({
  field,
  reason: 'FieldValueInvalid',
  message: `Invalid value: ${quote(value)}: ${detail}`,
})
const wrongType = (field: string, value: unknown, want: string): FieldError => ({
  field,
  reason: 'FieldValueTypeInvalid',
  message: `Invalid value: "${typeName(value)}": ${field} in body must be of type ${want}: "${typeName(value)}"`,
})

/** ObjectMeta name rules for a namespaced object of a custom resource. */
export const validateName = (name: string): FieldError[] => {
  const errors: FieldError[] = []
  if (name.length > 253) errors.push(invalidValue('metadata.name', name, 'must be no more than 253 characters'))
  if (!SUBDOMAIN.test(name)) errors.push(invalidValue('metadata.name', name, SUBDOMAIN_MESSAGE))
  return errors
}

const qualifiedNameErrors = (field: string, key: string): FieldError[] => {
  const slash = key.lastIndexOf('/')
  const [prefix, name] = slash < 0 ? ['', key] : [key.slice(0, slash), key.slice(slash + 1)]
  const ok = (slash < 0 || (prefix.length <= 253 && SUBDOMAIN.test(prefix))) && name.length <= 63 && LABEL_NAME.test(name)
  return ok
    ? []
    : [
        invalidValue(
          field,
          key,
          "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
        ),
      ]
}

export const validateMetadata = (metadata: Record<string, Json>): FieldError[] => {
  const errors: FieldError[] = []
  for (const [field, map] of [
    ['metadata.labels', metadata['labels']],
    ['metadata.annotations', metadata['annotations']],
  ] as const) {
    if (map === undefined || map === null) continue
    if (!isObject(map)) {
      errors.push(wrongType(field, map, 'object'))
      continue
    }
    for (const [key, value] of Object.entries(map)) {
      errors.push(...qualifiedNameErrors(field, key))
      if (typeof value !== 'string') errors.push(wrongType(`${field}.${key}`, value, 'string'))
      else if (field === 'metadata.labels' && (value.length > 63 || !LABEL_VALUE.test(value))) {
        errors.push(
          invalidValue(
            field,
            value,
            "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
          ),
        )
      }
    }
  }
  return errors
}

const stringArray = (field: string, value: Json, each?: (f: string, s: string) => FieldError[]): FieldError[] => {
  if (!Array.isArray(value)) return [wrongType(field, value, 'array')]
  return value.flatMap((item, i) => (typeof item !== 'string' ? [wrongType(`${field}[${i}]`, item, 'string')] : (each?.(`${field}[${i}]`, item) ?? [])))
}

const relabeling = (field: string, value: Json): FieldError[] => {
  if (!isObject(value)) return [wrongType(field, value, 'object')]
  const errors: FieldError[] = []
  for (const key of ['targetLabel', 'replacement', 'regex', 'separator'] as const) {
    const v = value[key]
    if (v !== undefined && typeof v !== 'string') errors.push(wrongType(`${field}.${key}`, v, 'string'))
  }
  if (value['sourceLabels'] !== undefined) errors.push(...stringArray(`${field}.sourceLabels`, value['sourceLabels']))
  const action = value['action']
  if (action !== undefined && (typeof action !== 'string' || !ACTIONS.includes(action))) {
    errors.push({
      field: `${field}.action`,
      reason: 'FieldValueNotSupported',
      message: `Unsupported value: ${quote(action)}: supported values: ${ACTIONS.map((a) => `"${a}"`).join(', ')}`,
    })
  }
  return errors
}

/** The CRD schema of the fields the service uses: jobName, staticConfigs, metricsPath, params, honorLabels, metricRelabelings. */
export const validateSpec = (spec: Json | undefined): FieldError[] => {
  if (spec === undefined) return [{ field: 'spec', reason: 'FieldValueRequired', message: 'Required value' }]
  if (!isObject(spec)) return [wrongType('spec', spec, 'object')]
  const errors: FieldError[] = []
  const { jobName, metricsPath, honorLabels, params, staticConfigs, metricRelabelings } = spec
  for (const [field, v] of [
    ['spec.jobName', jobName],
    ['spec.metricsPath', metricsPath],
  ] as const) {
    if (v === undefined) continue
    if (typeof v !== 'string') errors.push(wrongType(field, v, 'string'))
    else if (v === '') errors.push(invalidValue(field, v, `${field} in body should be at least 1 chars long`))
  }
  if (honorLabels !== undefined && typeof honorLabels !== 'boolean') errors.push(wrongType('spec.honorLabels', honorLabels, 'boolean'))
  if (params !== undefined) {
    if (!isObject(params)) errors.push(wrongType('spec.params', params, 'object'))
    else for (const [key, v] of Object.entries(params)) errors.push(...stringArray(`spec.params.${key}`, v))
  }
  if (staticConfigs !== undefined) {
    if (!Array.isArray(staticConfigs)) errors.push(wrongType('spec.staticConfigs', staticConfigs, 'array'))
    else
      staticConfigs.forEach((sc, i) => {
        const field = `spec.staticConfigs[${i}]`
        if (!isObject(sc)) return void errors.push(wrongType(field, sc, 'object'))
        if (sc['targets'] !== undefined) {
          errors.push(
            ...stringArray(`${field}.targets`, sc['targets'], (f, s) =>
              TARGET.test(s) ? [] : [invalidValue(f, s, `${f} in body should match '${TARGET.source}'`)],
            ),
          )
        }
        const labels = sc['labels']
        if (labels !== undefined && !isObject(labels)) errors.push(wrongType(`${field}.labels`, labels, 'object'))
        else for (const [k, v] of Object.entries(labels ?? {})) if (typeof v !== 'string') errors.push(wrongType(`${field}.labels.${k}`, v, 'string'))
      })
  }
  if (metricRelabelings !== undefined) {
    if (!Array.isArray(metricRelabelings)) errors.push(wrongType('spec.metricRelabelings', metricRelabelings, 'array'))
    else metricRelabelings.forEach((r, i) => errors.push(...relabeling(`spec.metricRelabelings[${i}]`, r)))
  }
  return errors
}
