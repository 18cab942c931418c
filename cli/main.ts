// cp-installer's command line. Each command lives in cli/commands/<name>.ts, exports `register(program)`
// and is listed in cli/commands/index.ts; commands reach core only through core/api.
import { existsSync } from 'node:fs';
import { Command } from 'commander';
import type { CommandModule } from './commands/index.js';

function newProgram(list: readonly CommandModule[]): Command {
  const program = new Command('cp-installer')
    .description('Installs the K-PaaS (PaaS-TA) Container Platform over SSH')
    .version('0.1.0');
  for (const command of list) command.register(program);
  return program;
}

/**
 * Start-up is mostly module loading, and every command's modules together (the web server, the install
 * engine…) cost more CPU than a preflight of ten hosts. So the command named on the command line is loaded
 * alone when its module is cli/commands/<name> and registers that name; anything else (help, --version,
 * an unknown word) loads the whole list, so help and errors stay complete.
 */
async function programFor(argv: readonly string[]): Promise<Command> {
  const name = argv[2];
  if (name && /^[a-z][a-z0-9-]*$/.test(name) && name !== 'index') {
    const here = (ext: string) => new URL(`./commands/${name}.${ext}`, import.meta.url);
    if (existsSync(here('js')) || existsSync(here('ts'))) {
      // A plain string, not a template in the import: the bundled CLI (scripts/bundle-cli.mjs) has each
      // command as its own entry beside main.js, and esbuild would otherwise turn the template into a
      // lookup among the .js files it found (none: the sources are .ts).
      const spec = `./commands/${name}.js`;
      const mod = (await import(spec)) as Partial<CommandModule>;
      if (typeof mod.register === 'function') {
        const program = newProgram([mod as CommandModule]);
        if (program.commands.some((c) => c.name() === name)) return program;
      }
    }
  }
  return newProgram((await import('./commands/index.js')).commands);
}

const program = await programFor(process.argv);

// A failure no command handled still ends in words and a documented exit code, never a stack trace.
// failure.js is loaded only then: it renders from every core catalog through core/api/install, whose
// modules (the install engine, tar-stream…) a command such as preflight never loads otherwise.
try {
  await program.parseAsync(process.argv);
} catch (e) {
  const { reportFailure } = await import('./failure.js');
  process.exitCode = reportFailure(e);
}
