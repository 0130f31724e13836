// --device cuda:LIST / --gpus N: parsed into device indices, checked against the GPUs present.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseGpuSelection, describeGpus, GpuSelectionError } from '../../src/node/gpus.js';

test('device lists and counts become rank-ordered device indices', () => {
  assert.deepEqual(parseGpuSelection('cuda:0,1,2,3', undefined, 8), { kind: 'cuda', devices: [0, 1, 2, 3] });
  assert.deepEqual(parseGpuSelection('cuda:3, 1', undefined, 4), { kind: 'cuda', devices: [3, 1] });
  assert.deepEqual(parseGpuSelection(undefined, '4', 8), { kind: 'cuda', devices: [0, 1, 2, 3] });
  assert.deepEqual(parseGpuSelection('cuda', '2', 2), { kind: 'cuda', devices: [0, 1] });
  assert.deepEqual(parseGpuSelection('cuda', undefined, 1), { kind: 'cuda', devices: [0] });
  assert.deepEqual(parseGpuSelection('cpu', undefined, 0), { kind: 'cpu', devices: [] });
  assert.equal(describeGpus({ kind: 'cuda', devices: [0, 1] }), 'training on 2 GPUs (0, 1), data parallel with sharded optimiser states');
  assert.equal(describeGpus({ kind: 'cuda', devices: [2] }), 'training on GPU 2');
});

test('more GPUs than present, duplicates and malformed values are refused with the reason', () => {
  const refuses = (device: string | undefined, gpus: string | undefined, present: number, re: RegExp) =>
    assert.throws(() => parseGpuSelection(device, gpus, present), (e: Error) => e instanceof GpuSelectionError && re.test(e.message));
  refuses(undefined, '8', 1, /--gpus 8: asks for GPU 1, 2, 3, 4, 5, 6, 7 but this machine has 1 \(indices 0\.\.0\)/);
  refuses('cuda:0,4', undefined, 4, /--device cuda:0,4: asks for GPU 4 but this machine has 4/);
  refuses('cuda:1,1', undefined, 4, /GPU 1 is listed twice/);
  refuses('cuda:a', undefined, 4, /"a" is not a GPU index/);
  refuses('tpu', undefined, 4, /"tpu" is not cpu, cuda/);
  refuses(undefined, '0', 4, /--gpus: "0" is not a positive whole number/);
  refuses(undefined, '2', 0, /no CUDA device is present/);
  refuses('cuda:0,1', '2', 4, /cannot be combined/);
  refuses('cpu', '2', 4, /cannot be combined with --device cpu/);
});
