// cp-installer's command line. Each command lives in cli/commands/<name>.ts and reaches core only
// through core/api.
import { Command } from 'commander';

const program = new Command('cp-installer')
  .description('Installs the K-PaaS (PaaS-TA) Container Platform over SSH')
  .version('0.1.0');

await program.parseAsync(process.argv);
