// `gradmesh completion bash|zsh`: a shell completion script, generated from the CLI.
import { Argument } from 'commander';
import { bashCompletion, zshCompletion } from '../completion.js';
export function registerCompletion(program) {
    program
        .command('completion')
        .description('print a shell completion script (commands and flags) for bash or zsh')
        .addArgument(new Argument('<shell>', 'the shell').choices(['bash', 'zsh']))
        .action((shell) => {
        process.stdout.write(shell === 'bash' ? bashCompletion(program) : zshCompletion(program));
    });
}
//# sourceMappingURL=completion.js.map