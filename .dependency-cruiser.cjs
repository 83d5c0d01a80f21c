/**
 * Import boundaries (run by `npm run lint:imports`, part of `npm test`). The folders of src are
 * floors, listed bottom to top; a module may import its own floor and the floors below it, never
 * one above. Each external system has one room with one door: Kafka client code lives in
 * src/streams/kafka, Redis code in src/state/store, Kubernetes in src/effects/kube (one room per
 * scrape backend under it), Grafana in src/effects/grafana. src/effects/prometheus is pure (the
 * scrape job, the scrape list, PromQL/LogQL text) and the step effects in src/effects/steps sit on
 * top of the rooms: no room reaches up into them.
 */
const FLOORS = ['support', 'codecs', 'config', 'state', 'operators', 'effects', 'streams', 'ops', 'runtime', 'cli']

// ops (operator commands) and runtime (the service's composition root) sit side by side under cli
const PEERS = { ops: ['runtime'], runtime: ['ops'] }

const forbid = (name, comment, from, to) => ({ name, comment, severity: 'error', from, to })

const floorRules = FLOORS.flatMap((floor, index) => {
  const above = FLOORS.slice(index + 1).concat(PEERS[floor] ?? [])
  if (above.length === 0) return []
  return [
    forbid(
      `no-upward-import-from-${floor}`,
      `src/${floor} may import only its own floor and those below it (${FLOORS.slice(0, index).join(', ') || 'none'})`,
      { path: `^src/${floor}/` },
      { path: `^src/(${[...new Set(above)].join('|')})/` },
    ),
  ]
})

const door = (name, modules, home) =>
  forbid(`one-door-${name}`, `only ${home} talks to ${name}`, { path: '^src/', pathNot: `^${home}` }, { path: `(^|/)node_modules/(${modules})/` })

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: { path: '^src/' }, to: { circular: true } },
    forbid(
      'service-never-imports-dev-test-bench',
      'simulators, the local stack, tests and benchmarks are never part of the service',
      { path: '^src/' },
      { path: '^(dev|test|bench|scripts)/' },
    ),
    forbid('unknown-floor', 'every folder of src is a floor listed in .dependency-cruiser.cjs', { path: `^src/(?!(${FLOORS.join('|')})/)` }, {}),
    ...floorRules,
    door('kafka', 'kafkajs', 'src/streams/kafka/'),
    door('redis', 'ioredis', 'src/state/store/'),
    door('kubernetes', '@kubernetes/client-node', 'src/effects/kube/'),
    door('grafana', 'ky', 'src/effects/grafana/'),
    forbid(
      'prometheus-room-is-pure',
      'src/effects/prometheus builds text and data; it calls no external system and no other room',
      { path: '^src/effects/prometheus/' },
      { path: ['^src/effects/(kube|grafana|steps|verify)/', '(^|/)node_modules/(ky|@kubernetes/client-node|kafkajs|ioredis)/'] },
    ),
    forbid(
      'rooms-never-import-steps-or-verify',
      'the step effects and verify use the rooms (Kubernetes, Grafana, Prometheus), never the other way round',
      { path: '^src/effects/(kube|grafana|prometheus)/' },
      { path: '^src/effects/(steps|verify)/' },
    ),
    forbid(
      'scrape-backends-apart',
      'the secret backend and the ScrapeConfig backend meet only in src/effects/kube (the ScrapeTargets port, errors, probes)',
      { path: '^src/effects/kube/secret/' },
      { path: '^src/effects/kube/scrapeconfig/' },
    ),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.json'],
    },
  },
}
