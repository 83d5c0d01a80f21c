/**
 * What a simulator handler answers, independent of node:http so handlers stay plain functions
 * that tests and the router can call without a socket.
 */

export interface Reply {
  readonly status: number
  readonly body: unknown
  readonly headers?: Readonly<Record<string, string>>
}

export const reply = (status: number, body: unknown, headers?: Readonly<Record<string, string>>): Reply =>
  headers === undefined ? { status, body } : { status, body, headers }

/** Grafana's usual error shape: `{"message": ...}` plus a machine-readable `status` on some routes. */
export const failure = (status: number, message: string, code?: string): Reply => reply(status, code === undefined ? { message } : { message, status: code })

export const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

/** A string field of a JSON object, or undefined when absent or of another type. */
export const stringField = (value: Record<string, unknown>, key: string): string | undefined => {
  const field = value[key]
  return typeof field === 'string' ? field : undefined
}
