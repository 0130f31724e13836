// `gradmesh completion bash|zsh`: a shell completion script, generated from the CLI.
import { Argument, type Command } from 'commander';
import { bashCompletion, zshCompletion } from '../completion.js';

export function registerCompletion(program: Command): void {
  program
    .command('completion')
    .description('print a shell completion script (commands and flags) for bash or zsh')
    .addArgument(new Argument('<shell>', 'the shell').choices(['bash', 'zsh']))
    .action((shell: 'bash' | 'zsh') => {
      process.stdout.write(shell === 'bash' ? bashCompletion(program) : zshCompletion(program));
    });
}
