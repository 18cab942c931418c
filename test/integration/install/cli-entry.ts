// The CLI with the install commands registered, for tests that run `cp-installer apply/resume/runs` as a
// child process (the real bin wires the same register functions in cli/main.ts).
import { Command } from 'commander';
import { register as registerApply } from '../../../cli/commands/apply.js';
import { register as registerResume } from '../../../cli/commands/resume.js';
import { register as registerRuns } from '../../../cli/commands/runs.js';

const program = new Command('cp-installer');
registerApply(program);
registerResume(program);
registerRuns(program);
await program.parseAsync(process.argv);
