// cp-installer's command line. Each command lives in cli/commands/<name>.ts, exports `register(program)`
// and is listed in cli/commands/index.ts; commands reach core only through core/api.
import { Command } from 'commander';
import { commands } from './commands/index.js';

const program = new Command('cp-installer')
  .description('Installs the K-PaaS (PaaS-TA) Container Platform over SSH')
  .version('0.1.0');

for (const command of commands) command.register(program);

await program.parseAsync(process.argv);
