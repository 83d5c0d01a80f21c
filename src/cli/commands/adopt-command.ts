import { createSecretClient, kubeConfigFrom } from '../../effects/kube/secret/kube-secret-client.js'
import { createSecretWriter } from '../../effects/kube/secret/secret-writer.js'
import { adopt, adoptFailed, formatAdopt } from '../../ops/adopt.js'
import { loadSecretOpsConfig, type SecretOpsConfig } from '../../config/ops-config.js'
import { runCommandDef, writeJson, type CommandDef } from '../command.js'
import { Exit, type CliIo } from '../io.js'
import { operatorLeaseOf } from '../operator-lease-of.js'
import { withStore } from '../with-store.js'

const HELP = `Usage: telemetry-client adopt [--service ID] [--dry-run] [--json]

Adds to the secret's ownership record (key telemetry-client.owned.json) the jobs this service
wrote before it kept one. A job that is in the list but not in the record is adoptable when its
job_name is a serviceId whose event log says the job is registered, and the job in the secret
has exactly the fingerprint recorded there (its text is what the service rendered). Nothing else
is ever taken over; the list's text is not changed. Each job is adopted under its service's
lease (the one the running service claims, SERVICE_LEASE_MS), judged again on the log as it is
then; a service with a request in progress or whose lease stays held is not adopted this time.

Options:
  --service ID   only the job of this service
  --dry-run      report only, change nothing
  --json         machine-readable report on stdout

Exit: 0 every candidate adopted (or adoptable with --dry-run) or none, 1 a candidate is not
adoptable or adopting failed, or an error, 2 usage error. Configuration: REDIS_*, KUBECONFIG,
SECRET_NAMESPACE, SECRET_NAME, SECRET_KEY, SERVICE_LEASE_MS.`

export const adoptDef: CommandDef<SecretOpsConfig> = {
  name: 'adopt',
  help: HELP,
  args: { flags: ['dry-run', 'json'], options: ['service'] },
  config: loadSecretOpsConfig,
  run: (args, config, io) =>
    withStore(config, async (ctx) => {
      const { store } = ctx
      const secretClient = createSecretClient(kubeConfigFrom(config.kube.kubeconfigPath), config.secret)
      const secretWriter = createSecretWriter({ client: secretClient, describe: `${config.secret.namespace}/${config.secret.name} key ${config.secret.key}` })
      try {
        const serviceId = args.options.get('service')
        const report = await adopt(
          { store, secretClient, secretWriter, lease: operatorLeaseOf(ctx, config, 'adopt') },
          { dryRun: args.flags.has('dry-run'), ...(serviceId === undefined ? {} : { serviceId }) },
        )
        if (args.flags.has('json')) writeJson(io, report)
        else io.stdout.write(`${formatAdopt(report)}\n`)
        return adoptFailed(report) ? Exit.failed : Exit.ok
      } finally {
        secretWriter.close()
      }
    }),
}

export const adoptCommand = (argv: readonly string[], io: CliIo): Promise<number> => runCommandDef(adoptDef, argv, io)
