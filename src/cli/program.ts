// The gradmesh command tree. Each subcommand lives in its own module under
// commands/ and exports a function that adds itself to the program.
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../shared/repo-root.js';
import { registerWallet } from './commands/wallet.js';
import { registerData } from './commands/data.js';
import { registerStatus } from './commands/status.js';
import { registerExport } from './commands/export.js';
import { registerNode } from './commands/node.js';
import { registerTestnet } from './commands/testnet.js';
import { registerTrain } from './commands/train.js';
import { registerCompletion } from './commands/completion.js';
import { addExamples } from './examples.js';

/** commander's `…\n(Did you mean --miners?)` as `… (did you mean --miners?)`, on one line. */
export function oneLineError(text: string): string {
  return text.replace(/\n\(Did you mean (.*?)\)\n?$/s, ' (did you mean $1)\n');
}

export function buildProgram(): Command {
  const pkg = JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as { version: string };
  const program = new Command('gradmesh')
    .description('peer-to-peer LLM pre-training for Bittensor-style training subnets')
    .version(pkg.version)
    // An input error is one line: the usage dump buried it, and a near-miss flag or
    // command gets commander's suggestion on the same line.
    .showSuggestionAfterError(true)
    .configureOutput({ outputError: (text, write) => write(oneLineError(text)) })
    // Commander's own exits (inherited by every subcommand registered below) become
    // CommanderErrors for main.ts, which exits 2 for a usage error (bad or missing
    // flag, unknown command: the convention of getopt tools) and 0 after --help.
    .exitOverride();
  // Subcommands register here, one line each.
  registerWallet(program);
  registerData(program);
  registerStatus(program);
  registerExport(program);
  registerNode(program);
  registerTestnet(program);
  registerTrain(program);
  registerCompletion(program);
  // Last: every command exists now (a test checks that none is without examples).
  addExamples(program);
  return program;
}
