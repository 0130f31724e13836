// Examples shown at the end of every command's --help (the Bittensor CLIs do the same).
// One table, keyed by the command's path, so that a test can check that no command is
// without: buildProgram adds them to each command it finds.
import type { Command } from 'commander';

export const EXAMPLES: Record<string, string[]> = {
  '': [
    'gradmesh testnet                          # a whole network on this machine',
    'gradmesh status                           # what the running testnet (or node) is doing',
    'gradmesh train --model tiny --save run1   # one node, no network',
    'gradmesh miner --wallet.name W --wallet.hotkey H --subtensor.network finney',
    'gradmesh <command> --help',
  ],
  wallet: [
    'gradmesh wallet create --wallet.name W --wallet.hotkey H',
    'gradmesh wallet show --wallet.name W --wallet.hotkey H',
  ],
  'wallet create': [
    'gradmesh wallet create --wallet.name mywallet --wallet.hotkey miner1',
    'MY_PW=… gradmesh wallet create --wallet.name mywallet --wallet.hotkey miner2 --password-env MY_PW   # encrypted coldkey, no prompt',
    'gradmesh wallet create --wallet.name dev --wallet.hotkey h0 --wallet.path /tmp/wallets --no-password',
  ],
  'wallet regen': [
    'gradmesh wallet regen coldkey --wallet.name mywallet --mnemonic "word1 word2 … word12"',
    'gradmesh wallet regen hotkey --wallet.name mywallet --wallet.hotkey miner1 --mnemonic "…" --overwrite',
  ],
  'wallet show': [
    'gradmesh wallet show --wallet.name mywallet --wallet.hotkey miner1',
  ],
  data: [
    'gradmesh data prepare --in corpus/ --out my-data',
    'gradmesh data verify my-data',
    'gradmesh data default',
  ],
  'data prepare': [
    'gradmesh data prepare --in books.txt notes/ --out my-data',
    'gradmesh data prepare --in web.parquet --field content --out my-data --shard-tokens 50000000',
  ],
  'data verify': [
    'gradmesh data verify my-data',
    'gradmesh data verify my-data --json | jq .ok',
  ],
  'data info': [
    'gradmesh data info my-data --seq-len 256',
  ],
  'data pool': [
    'gradmesh data pool --run-hash $(jq -r .runHash node-info.json) --uid 3 --window 12 --size 64 --dataset my-data',
  ],
  'data default': [
    'gradmesh data default',
    'gradmesh data default --cache /tmp/gradmesh-cache',
  ],
  status: [
    'gradmesh status                                  # the testnet in .gradmesh/testnet, else the node at 127.0.0.1:9900',
    'gradmesh status --url 127.0.0.1:9901             # one node (a validator\'s default port)',
    'gradmesh status --dir /tmp/net --watch 2         # a testnet elsewhere, refreshed every 2 s',
    'gradmesh status --url 127.0.0.1:9900 --json | jq .thetaHash',
  ],
  export: [
    'gradmesh export --from .gradmesh/testnet/nodes/validator0 --out my-model',
    'gradmesh export --from run1 --out my-model       # a `gradmesh train --save run1` checkpoint',
    'gradmesh export --init --model small --out empty-model',
  ],
  miner: [
    'gradmesh miner --wallet.name W --wallet.hotkey H --subtensor.network finney --bootstrap /dns4/seed.example.org/tcp/9000/p2p/12D3KooW…',
    'gradmesh miner --wallet.name W --wallet.hotkey H --subtensor.network test --netuid 1 --logging.debug',
    'gradmesh miner --config miner.json --logging.logging_dir ~/.gradmesh/logs',
    'gradmesh miner --config miner.json --device cuda:1                 # train on GPU 1',
    'gradmesh miner --config miner.json --device cpu --ranks 4          # data parallel on 4 CPU ranks, sharded optimiser states',
    'gradmesh testnet add-miner                       # a miner of your own on the local testnet',
  ],
  validator: [
    'gradmesh validator --wallet.name W --wallet.hotkey H --subtensor.network finney --bootstrap /dns4/seed.example.org/tcp/9000/p2p/12D3KooW…',
    'gradmesh validator --wallet.name W --wallet.hotkey H --subtensor.chain_endpoint ws://127.0.0.1:9944 --netuid 3 --logging.trace',
    'gradmesh validator --config validator.json --logging.logging_dir ~/.gradmesh/logs',
  ],
  testnet: [
    'gradmesh testnet                                 # 1 validator, 3 miners, until Ctrl-C',
    'gradmesh testnet --miners 4 --validators 2 --windows 20',
    'gradmesh testnet --adversary noise --adversary copycat',
    'gradmesh testnet --run my-run.json --dir /tmp/net --port 19700 --logging.debug',
    'gradmesh status                                  # every node of the running testnet',
    'gradmesh testnet add-miner                       # join a miner of your own to it',
    'jq -c \'select(.event=="announced")\' .gradmesh/testnet/logs/miner0.log',
  ],
  'testnet add-miner': [
    'gradmesh testnet add-miner                       # "mine0" joins the testnet in .gradmesh/testnet; Ctrl-C stops it',
    'gradmesh testnet add-miner --name alice --no-start   # only print the command',
    'gradmesh testnet add-miner --dir /tmp/net --logging.debug',
    'gradmesh testnet add-miner --force                # start even below the compute floor (payloads late)',
  ],
  train: [
    'gradmesh train                                   # tiny model, built-in dataset, 100 steps',
    'gradmesh train --model small --steps 500 --eval-every 50 --save run1',
    'gradmesh train --data my-data --val my-val --lr 3e-4 --cosine --threads 8',
    'gradmesh train --device cuda --model 150m --batch 8 --seq 1024',
  ],
  completion: [
    'gradmesh completion bash > ~/.local/share/bash-completion/completions/gradmesh',
    'source <(gradmesh completion bash)',
    'gradmesh completion zsh > "${fpath[1]}/_gradmesh"',
  ],
};

/** The command's path below the program ("testnet add-miner"; "" for the program). */
export function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** Every command of the program, the program first, depth first. */
export function allCommands(program: Command): Command[] {
  return [program, ...program.commands.flatMap((c) => allCommands(c))];
}

/** Adds each command's examples (EXAMPLES) to the end of its --help. */
export function addExamples(program: Command): void {
  for (const cmd of allCommands(program)) {
    const lines = EXAMPLES[commandPath(cmd)];
    if (lines?.length) cmd.addHelpText('after', `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}`);
  }
}
