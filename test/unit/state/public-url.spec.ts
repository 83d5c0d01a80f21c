import { expect } from 'chai'
import { publicUrl } from '../../../src/state/result-message.js'

describe('publicUrl (dashboard links for SONATA)', () => {
  const cases: ReadonlyArray<readonly [string, string, string, string]> = [
    ['Grafana at the root', 'https://host', '/d/tcm-a/app', 'https://host/d/tcm-a/app'],
    ['trailing slashes on the base', 'https://host///', '/d/tcm-a/app', 'https://host/d/tcm-a/app'],
    ['sub-path in the public URL and in the path Grafana returned', 'https://host/grafana', '/grafana/d/tcm-a/app', 'https://host/grafana/d/tcm-a/app'],
    ['sub-path in the public URL with a trailing slash', 'https://host/grafana/', '/grafana/d/tcm-a/app', 'https://host/grafana/d/tcm-a/app'],
    ['sub-path only in the path Grafana returned', 'https://host', '/grafana/d/tcm-a/app', 'https://host/grafana/d/tcm-a/app'],
    ['sub-path only in the public URL (a proxy adds it)', 'https://host/grafana', '/d/tcm-a/app', 'https://host/grafana/d/tcm-a/app'],
    ['a longer sub-path that merely starts alike is kept', 'https://host/graf', '/grafana/d/tcm-a/app', 'https://host/graf/grafana/d/tcm-a/app'],
    ['a nested sub-path', 'http://10.0.0.1:8080/tools/grafana', '/tools/grafana/d/x/y', 'http://10.0.0.1:8080/tools/grafana/d/x/y'],
    ['a path without its leading slash', 'https://host/grafana', 'grafana/d/x/y', 'https://host/grafana/d/x/y'],
  ]
  for (const [name, base, path, expected] of cases) {
    it(`${name}: ${base} + ${path}`, () => {
      expect(publicUrl(base, path)).to.equal(expected)
    })
  }
})
