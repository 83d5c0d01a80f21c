/**
 * Turns a request body (PUT, POST, or the result of a PATCH) into the fields of a Secret the
 * simulator stores, with the apiserver's checks and wording.
 *
 * Decoding errors (not JSON, wrong kind, bad base64) are 400 BadRequest in a real cluster
 * because they fail before validation; validation errors (bad key, too large) are 422 Invalid.
 * The distinction matters to clients that treat 422 as "the object is wrong, do not retry".
 */
import { badRequest, invalidSecret, type Status } from './status.js'

export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly status: Status }

export interface SecretInput {
  readonly name: string | undefined
  readonly namespace: string | undefined
  readonly resourceVersion: string | undefined
  readonly type: string | undefined
  readonly labels: Readonly<Record<string, string>> | undefined
  readonly annotations: Readonly<Record<string, string>> | undefined
  /** base64 values, `stringData` already merged in */
  readonly data: Readonly<Record<string, string>>
}

export const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

/** Standard padded base64, as Go's encoding/json decodes `[]byte` fields. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/
/** etcd's object limit as the apiserver enforces it for Secret data. */
export const MAX_SECRET_BYTES = 1024 * 1024

const cannotHandle = (detail: string): Status => badRequest(`Secret in version "v1" cannot be handled as a Secret: ${detail}`)

const illegalBase64At = (text: string): number => {
  const bad = text.search(/[^A-Za-z0-9+/=]/)
  return bad >= 0 ? bad : Math.max(0, text.length - (text.length % 4))
}

const stringMap = (value: unknown, field: string): Result<Record<string, string> | undefined> => {
  if (value === undefined || value === null) return { ok: true, value: undefined }
  if (!isRecord(value)) return { ok: false, status: cannotHandle(`json: cannot unmarshal into Go struct field ${field}`) }
  const out: Record<string, string> = {}
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string') {
      return { ok: false, status: cannotHandle(`json: cannot unmarshal into Go struct field ${field} of type string`) }
    }
    out[key] = v
  }
  return { ok: true, value: out }
}

const optionalString = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined)

export const decodeSecretBody = (body: unknown): Result<SecretInput> => {
  if (!isRecord(body)) return { ok: false, status: cannotHandle('json: cannot unmarshal into Go value of type v1.Secret') }
  if (body.kind !== undefined && body.kind !== 'Secret') {
    return { ok: false, status: cannotHandle(`the object provided is unrecognized (must be of type Secret): kind ${JSON.stringify(body.kind)}`) }
  }
  if (body.apiVersion !== undefined && body.apiVersion !== 'v1') {
    return { ok: false, status: badRequest(`the API version in the data (${JSON.stringify(body.apiVersion)}) does not match the expected API version (v1)`) }
  }
  const metadata = isRecord(body.metadata) ? body.metadata : {}
  const data = stringMap(body.data, 'Secret.data')
  if (!data.ok) return data
  const stringData = stringMap(body.stringData, 'Secret.stringData')
  if (!stringData.ok) return stringData
  const labels = stringMap(metadata.labels, 'ObjectMeta.metadata.labels')
  if (!labels.ok) return labels
  const annotations = stringMap(metadata.annotations, 'ObjectMeta.metadata.annotations')
  if (!annotations.ok) return annotations
  const merged: Record<string, string> = {}
  for (const [key, value] of Object.entries(data.value ?? {})) {
    if (!BASE64.test(value)) return { ok: false, status: cannotHandle(`illegal base64 data at input byte ${illegalBase64At(value)}`) }
    merged[key] = value
  }
  // Like the apiserver: stringData is write-only and wins over data for the same key.
  for (const [key, value] of Object.entries(stringData.value ?? {})) {
    merged[key] = Buffer.from(value, 'utf8').toString('base64')
  }
  return {
    ok: true,
    value: {
      name: optionalString(metadata.name),
      namespace: optionalString(metadata.namespace),
      resourceVersion: optionalString(metadata.resourceVersion),
      type: optionalString(body.type),
      labels: labels.value,
      annotations: annotations.value,
      data: merged,
    },
  }
}

/** Validation the apiserver runs after decoding (field names and messages from ValidateSecret). */
export const validateSecret = (name: string, input: SecretInput): Status | undefined => {
  const causes: Array<{ field: string; message: string; reason?: string }> = []
  let total = 0
  for (const [key, value] of Object.entries(input.data)) {
    if (!CONFIG_KEY.test(key)) {
      causes.push({
        field: `data[${key}]`,
        message: `Invalid value: "${key}": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`,
      })
    }
    total += Buffer.byteLength(value, 'base64')
  }
  if (total > MAX_SECRET_BYTES) causes.push({ field: 'data', message: `Too long: must have at most ${MAX_SECRET_BYTES} bytes`, reason: 'FieldValueTooLong' })
  return causes.length === 0 ? undefined : invalidSecret(name, causes)
}
