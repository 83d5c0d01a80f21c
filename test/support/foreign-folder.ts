import { expect } from 'chai'
import { Folders } from '../../src/effects/grafana/folders.js'
import type { HarnessContext } from './harness-hooks.js'
import { answerTo, platformRequest } from './request-builders.js'

/**
 * After a person made a folder titled `title` under the platform folder's uid: a platform request
 * answers FAILURE naming the uid and the title found, and nothing is saved in that folder.
 */
export const expectForeignFolderNotAdopted = async (ctx: HarnessContext, title: string): Promise<void> => {
  const data = await answerTo(ctx.results, platformRequest('svc-platform', ['default']))
  expect(data['dashboardDataOrderStatus']).to.equal('FAILURE')
  expect(data['dashboardDataOrderMessage']).to.include(Folders.platform.uid).and.include(title)
  expect(ctx.harness.stack.grafana.dashboards().filter((d) => d.folderUid === Folders.platform.uid)).to.deep.equal([])
}
