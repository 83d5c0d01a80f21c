/**
 * The human form of a preview: the verdict first, then each thing the service would touch in the
 * order it would touch it (secret, folders, dashboards, result topic), JSON pretty-printed.
 */
import type { Preview } from './preview.js'

const json = (value: unknown): string => JSON.stringify(value, null, 2)
const indent = (text: string): string =>
  text
    .replace(/\n$/, '')
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n')

export const formatPreview = (preview: Preview): string => {
  if (preview.verdict === 'rejected') {
    return [
      `REJECTED: ${preview.reason}`,
      ...preview.reasons.map((reason) => `  - ${reason}`),
      '',
      `dead letter → ${preview.deadLetter.topic} (key ${json(preview.deadLetter.key)}):`,
      indent(json(preview.deadLetter.value)),
      '',
      preview.result === undefined
        ? 'no FAILURE result: the message names neither a serviceId nor a kogitoprocinstanceid to answer'
        : `FAILURE result → ${preview.result.topic} (key ${json(preview.result.key)}):\n${indent(json(preview.result.value))}`,
    ].join('\n')
  }
  const lines = [`ACCEPTED: ${preview.kind} request ${preview.requestId} for service ${preview.serviceId}`, '']
  if (preview.scrapeJobYaml !== undefined) lines.push("scrape job upserted into the secret's list (job_name = serviceId):", indent(preview.scrapeJobYaml), '')
  if (preview.removeJob !== undefined) lines.push(`scrape job removed from the secret's list: ${preview.removeJob}`, '')
  if (preview.scrapeConfigYaml !== undefined)
    lines.push('ScrapeConfig applied (server-side apply, field manager telemetry-client):', indent(preview.scrapeConfigYaml), '')
  if (preview.removeScrapeConfig !== undefined) lines.push(`ScrapeConfig deleted, if it is the service's own: ${preview.removeScrapeConfig}`, '')
  for (const folder of preview.folders) lines.push(`folder ensured: ${folder.title} (uid ${folder.uid})`)
  if (preview.folders.length > 0) lines.push('')
  for (const d of preview.dashboards)
    lines.push(`dashboard ${d.role} saved: ${d.title} (uid ${d.uid}) in ${d.folder.title}`, `  link: ${d.url}`, indent(json(d.model)), '')
  if (preview.deleteDashboardUids !== undefined)
    lines.push(`dashboards deleted (those that exist, found by the service's tag): ${preview.deleteDashboardUids.join(', ')}`, '')
  lines.push(`result → ${preview.result.topic} (key ${json(preview.result.key)}):`, indent(json(preview.result.value)))
  for (const note of preview.notes) lines.push('', `note: ${note}`)
  return lines.join('\n')
}
