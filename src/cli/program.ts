// The gradmesh command tree. Each subcommand lives in its own module under
// commands/ and exports a function that adds itself to the program.
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../train/model-config.js';
import { registerWallet } from './commands/wallet.js';
import { registerData } from './commands/data.js';
import { registerStatus } from './commands/status.js';
import { registerExport } from './commands/export.js';
import { registerNode } from './commands/node.js';
import { registerTestnet } from './commands/testnet.js';
import { registerTrain } from './commands/train.js';

export function buildProgram(): Command {
  const pkg = JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as { version: string };
  const program = new Command('gradmesh')
    .description('peer-to-peer LLM pre-training for Bittensor-style training subnets')
    .version(pkg.version)
    .showHelpAfterError();
  // Subcommands register here, one line each.
  registerWallet(program);
  registerData(program);
  registerStatus(program);
  registerExport(program);
  registerNode(program);
  registerTestnet(program);
  registerTrain(program);
  return program;
}
