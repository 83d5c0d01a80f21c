import { expect } from 'chai'
import { apiOfGroups } from '../../../../src/effects/grafana/grafana-discovery.js'
import { describeApi } from '../../../../src/effects/grafana/grafana-port.js'

const group = (name: string, versions: readonly string[]) => ({
  name,
  versions: versions.map((version) => ({ version })),
  preferredVersion: { version: versions[0] ?? '' },
})

describe('apiOfGroups (which Grafana API discovery offers)', () => {
  it('Grafana 13: v1 for both, even when v2 is the preferred dashboard version (schema v2 is not the classic JSON)', () => {
    const api = apiOfGroups([group('dashboard.grafana.app', ['v2', 'v1', 'v1beta1']), group('folder.grafana.app', ['v1', 'v1beta1'])], 'default')
    expect(api).to.deep.equal({ kind: 'apis', dashboardVersion: 'v1', folderVersion: 'v1', namespace: 'default' })
    expect(describeApi(api)).to.equal('apis (dashboard.grafana.app/v1, folder.grafana.app/v1, namespace default)')
  })
  it('Grafana 12: v1beta1, in the namespace asked for', () => {
    expect(apiOfGroups([group('dashboard.grafana.app', ['v1beta1', 'v0alpha1']), group('folder.grafana.app', ['v1beta1'])], 'stacks-42')).to.deep.equal({
      kind: 'apis',
      dashboardVersion: 'v1beta1',
      folderVersion: 'v1beta1',
      namespace: 'stacks-42',
    })
  })
  it('the legacy API when either group is missing or only offers versions the service does not know', () => {
    expect(apiOfGroups([group('dashboard.grafana.app', ['v1'])], 'default')).to.deep.equal({ kind: 'legacy' })
    expect(apiOfGroups([group('dashboard.grafana.app', ['v0alpha1']), group('folder.grafana.app', ['v1'])], 'default')).to.deep.equal({ kind: 'legacy' })
    expect(apiOfGroups([], 'default')).to.deep.equal({ kind: 'legacy' })
    expect(describeApi({ kind: 'legacy' })).to.equal('legacy (/api)')
  })
})
