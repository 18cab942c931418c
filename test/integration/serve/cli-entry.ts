// `cp-installer` with only the serve command registered, for tests that run it as a child process (the
// real bin wires the same register function in cli/main.ts).
import { Command } from 'commander';
import { register } from '../../../cli/commands/serve.js';

const program = new Command('cp-installer');
register(program);
await program.parseAsync(process.argv);
