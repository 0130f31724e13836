// Any C++ exception at the native boundary (std::bad_alloc, std::length_error, a
// thrown non-std value) reaches JS as an Error naming the call; async calls reject
// their promise. Each case runs in a child process: before the fix an escaped
// exception ran std::terminate and took the whole process down, which a child shows
// as a signal instead of killing the test runner.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { nativeAddonPath } from '../../src/native/index.js';
/** Runs `body` (CommonJS; `addon` is the loaded CPU addon, `record(label, fn)` logs one call) in a child. */
function inChild(body) {
    const script = `
    const addon = require(process.argv[1]);
    const outcomes = [];
    const describe = (e) => ({ name: e && e.constructor ? e.constructor.name : typeof e, message: e && e.message });
    async function record(label, fn) {
      let r;
      try { r = fn(); } catch (e) { outcomes.push({ label, outcome: 'threw', ...describe(e) }); return; }
      if (r && typeof r.then === 'function') {
        try { await r; outcomes.push({ label, outcome: 'resolved' }); } catch (e) { outcomes.push({ label, outcome: 'rejected', ...describe(e) }); }
      } else outcomes.push({ label, outcome: 'returned' });
    }
    (async () => {
      ${body}
      process.stdout.write(JSON.stringify(outcomes));
    })();
  `;
    const r = spawnSync(process.execPath, ['-e', script, nativeAddonPath()], { encoding: 'utf8', timeout: 120_000 });
    let outcomes = [];
    try {
        outcomes = JSON.parse(r.stdout);
    }
    catch {
        // no output: the child died (asserted below with its stderr)
    }
    return { status: r.status, signal: r.signal, outcomes, stderr: r.stderr };
}
test('a std::bad_alloc in a synchronous call is a JS Error naming the call; the process lives', () => {
    // A layout whose one tensor has 2^50 values: decoding sizes its index array to 2^51
    // bytes, beyond any address space, so the allocation throws std::bad_alloc (the
    // machine's overcommit setting cannot make it succeed). Nothing is touched first.
    const r = inChild(`
    await record('decodeRecords', () => addon.compress.decodeRecords(new Uint8Array(0), 0, new Float64Array([0, 2 ** 30, 2 ** 20]), 128, 16384, false));
    await record('after', () => addon.getThreads());
  `);
    assert.equal(r.signal, null, `the child was killed by ${r.signal}: ${r.stderr}`);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.outcomes, [
        { label: 'decodeRecords', outcome: 'threw', name: 'Error', message: 'decodeRecords: out of memory (std::bad_alloc)' },
        { label: 'after', outcome: 'returned' },
    ]);
});
test('an engine whose buffers cannot be allocated is a JS Error, not a crash', () => {
    // In range (vocab 2^30, hidden 2^20) but 2^50 floats of embedding: no machine has that.
    const r = inChild(`
    const cfg = { vocab_size: 2 ** 30, hidden_size: 2 ** 20, intermediate_size: 64, num_hidden_layers: 1,
      num_attention_heads: 1024, num_key_value_heads: 1024, rms_norm_eps: 1e-5, rope_theta: 10000, tie_word_embeddings: true };
    await record('NativeEngine', () => new addon.NativeEngine(cfg, 1, 1, 1));
  `);
    assert.equal(r.signal, null, r.stderr);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.outcomes.length, 1);
    assert.equal(r.outcomes[0].outcome, 'threw');
    assert.match(r.outcomes[0].message ?? '', /^NativeEngine: out of memory/);
});
test('every kind of C++ exception, thrown on the JS thread or on a worker, settles as a JS error', () => {
    // The addon's boundary probe throws the named exception in the named place:
    // 'sync' in the call itself, 'execute' on the libuv worker, 'result' while the
    // result is built on the JS thread after the worker finished.
    const r = inChild(`
    for (const where of ['sync', 'execute', 'result'])
      for (const kind of ['bad_alloc', 'length_error', 'runtime_error', 'invalid_argument', 'non_std'])
        await record(where + ' ' + kind, () => addon.testing.throwNative(kind, where));
    await record('after', () => addon.testing.throwNative('none', 'execute'));
  `);
    assert.equal(r.signal, null, r.stderr);
    assert.equal(r.status, 0, r.stderr);
    const expected = [];
    for (const where of ['sync', 'execute', 'result']) {
        const outcome = where === 'sync' ? 'threw' : 'rejected';
        const e = (kind, name, message) => ({ label: `${where} ${kind}`, outcome, name, message: `throwNative: ${message}` });
        expected.push(e('bad_alloc', 'Error', 'out of memory (std::bad_alloc)'), e('length_error', 'Error', 'probe length_error'), e('runtime_error', 'Error', 'probe runtime_error'), e('invalid_argument', 'RangeError', 'probe invalid_argument'), e('non_std', 'Error', 'unknown C++ exception (not a std::exception)'));
    }
    expected.push({ label: 'after', outcome: 'resolved' });
    assert.deepEqual(r.outcomes, expected);
});
//# sourceMappingURL=native-exceptions.test.js.map