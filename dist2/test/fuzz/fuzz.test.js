// Bounded fuzzing in CI: a few thousand mutated inputs per decoder that reads peer
// bytes (the bench runs 100k+: npm run bench -- fuzz). A failure prints the seed, the
// case, the replay command and the input hex. GRADMESH_FUZZ_SEED / GRADMESH_FUZZ_INPUTS
// change the seed and the inputs per target.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { streamPair } from '@libp2p/utils';
import { loadNative } from '../../src/native/index.js';
import { concat, generateCase, GENERIC_MUTATORS, normalizeSeed, PROTOBUF_MUTATORS, SAFETENSORS_MUTATORS } from './mutate.js';
import { formatFailure, runTarget, Watchdog } from './runner.js';
import { blobFixture, blobTranscript, makeTargets, TARGET_NAMES } from './targets.js';
const SEED = normalizeSeed(process.env.GRADMESH_FUZZ_SEED ?? '20261204');
const INPUTS = Number(process.env.GRADMESH_FUZZ_INPUTS ?? '2000');
loadNative().setThreads(1);
const targets = await makeTargets();
const watchdog = new Watchdog({ hangMs: 30_000, rssLimitBytes: 2 * 1024 ** 3, seed: SEED, targets: targets.map((t) => t.name) });
after(async () => {
    await watchdog.stop();
    for (const t of targets)
        await t.close?.();
});
test('every decoder that reads peer bytes is a fuzz target', () => {
    assert.deepEqual(targets.map((t) => t.name).sort(), [...TARGET_NAMES].sort());
});
for (const t of targets) {
    test(`fuzz ${t.name}: ${INPUTS} mutated inputs, no crash, hang or absurd allocation (seed ${SEED})`, async () => {
        const rep = await runTarget({ ...t, close: undefined }, {
            inputs: INPUTS, seed: SEED, slowMs: 2000, allocLimitBytes: 64 * 1048576, watchdog, keepExamples: 3,
        });
        if (rep.failures > 0) {
            const text = rep.examples.map(formatFailure).join('\n');
            console.error(text);
            assert.fail(`${rep.failures} failing inputs of ${t.name} (seed ${SEED}):\n${text}`);
        }
        // The mutations must reach both sides of the decoder, or the run proves little.
        assert.ok(rep.accepted > 0 && rep.rejected > INPUTS / 4, `accepted ${rep.accepted}, rejected ${rep.rejected}`);
        assert.ok(Object.keys(rep.reasons).length >= 2, `only ${JSON.stringify(rep.reasons)}`);
    });
}
test('a case is a function of (seed, target, index) alone, and the mutators change their input', () => {
    const corpus = [Uint8Array.from([8, 1, 18, 3, 1, 2, 3, 24, 200, 1]), Uint8Array.from([8, 2, 16, 5])];
    const mutators = [...PROTOBUF_MUTATORS, ...GENERIC_MUTATORS, ...SAFETENSORS_MUTATORS];
    let changed = 0;
    for (let i = 0; i < 300; i++) {
        const a = generateCase(7, 'x', i, corpus, mutators, 4096);
        const b = generateCase(7, 'x', i, corpus, mutators, 4096);
        assert.deepEqual(a, b);
        if (!corpus.some((c) => Buffer.compare(c, a.input) === 0))
            changed++;
    }
    assert.ok(changed > 250, `${changed} of 300 cases differ from every valid input`);
    assert.notDeepEqual(generateCase(7, 'x', 1, corpus, mutators, 4096), generateCase(8, 'x', 1, corpus, mutators, 4096));
});
test('a decoder that throws the wrong error is reported with its seed, case and input', async () => {
    const buggy = {
        name: 'buggy', about: '', corpus: [Uint8Array.of(1, 2, 3, 4)], mutators: GENERIC_MUTATORS, maxLen: 64,
        run(input) {
            if (input.length > 6)
                throw new TypeError('cannot read properties of undefined');
            return input.length === 4 ? { accepted: true } : { accepted: false, reason: 'short' };
        },
    };
    const rep = await runTarget(buggy, { inputs: 200, seed: 5, slowMs: 2000, allocLimitBytes: 64 * 1048576 });
    assert.ok(rep.failures > 0 && rep.examples[0].kind === 'crash');
    const text = formatFailure(rep.examples[0]);
    assert.match(text, /seed=5 case=\d+/);
    assert.match(text, /--target buggy --seed 5 --case \d+/);
    assert.match(text, /input \(\d+ bytes\): [0-9a-f]{14,}/);
    assert.match(text, /TypeError/);
});
test('the watchdog reports a hanging input with its case and input, and kills the process', () => {
    const child = fileURLToPath(new URL('./hang-child.js', import.meta.url));
    const r = spawnSync(process.execPath, [child], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.signal, 'SIGKILL', `child ended with ${r.status}/${r.signal}: ${r.stderr}`);
    assert.match(r.stderr, /FUZZ HANG .* target=hang seed=3 case=2/);
    assert.match(r.stderr, /input \(\d+ bytes\): [0-9a-f]*\n/);
});
test('the blob stream double answers like a real libp2p stream pair', async () => {
    const fx = await blobFixture();
    try {
        const inputs = [...fx.corpus];
        const mutators = [...PROTOBUF_MUTATORS, ...GENERIC_MUTATORS];
        for (let i = 0; i < 40; i++)
            inputs.push(generateCase(SEED, 'blob-pair', i, fx.corpus, mutators, 512).input);
        for (const input of inputs) {
            const fake = await blobTranscript(fx, input);
            const [client, server] = await streamPair({ delay: 0 });
            const served = fx.server(server, fx.connection);
            client.send(input);
            await client.close();
            const chunks = [];
            for await (const c of client)
                chunks.push(c.subarray());
            await served;
            assert.equal(Buffer.from(concat(...chunks)).toString('hex'), Buffer.from(fake.out).toString('hex'), `input ${Buffer.from(input).toString('hex')}`);
        }
    }
    finally {
        fx.close();
    }
});
//# sourceMappingURL=fuzz.test.js.map