// --device cuda:LIST / --gpus N / --ranks N: parsed into device indices or CPU ranks, checked against the GPUs present.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseGpuSelection, describeGpus, GpuSelectionError, planTrainingDevices, describeTrainingDevices, checkDeviceSyntax } from '../../src/node/gpus.js';

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

test('the node plans CPU ranks, one GPU or auto from --device / --gpus / --ranks, refusing what it cannot run', () => {
  const probe = (count: number) => () => ({ count, reason: count ? `${count} devices` : 'no CUDA addon at build/cuda/gradmesh_cuda.node' });
  const never = () => assert.fail('the CUDA probe runs only when a GPU is asked for');
  assert.deepEqual(planTrainingDevices('miner', {}, never), { backend: 'auto', ranks: 1, devices: [] });
  assert.deepEqual(planTrainingDevices('miner', { device: 'auto' }, never), { backend: 'auto', ranks: 1, devices: [] });
  assert.deepEqual(planTrainingDevices('miner', { device: 'cpu' }, never), { backend: 'cpu', ranks: 1, devices: [] });
  assert.deepEqual(planTrainingDevices('miner', { device: 'cpu', ranks: 4 }, never), { backend: 'cpu', ranks: 4, devices: [] });
  assert.deepEqual(planTrainingDevices('miner', { ranks: 2 }, never), { backend: 'cpu', ranks: 2, devices: [] });
  assert.deepEqual(planTrainingDevices('validator', { ranks: 1 }, never), { backend: 'cpu', ranks: 1, devices: [] });
  assert.deepEqual(planTrainingDevices('miner', { device: 'cuda:2' }, probe(4)), { backend: 'cuda', ranks: 1, devices: [2] });
  assert.deepEqual(planTrainingDevices('miner', { gpus: 1 }, probe(1)), { backend: 'cuda', ranks: 1, devices: [0] });
  assert.deepEqual(planTrainingDevices('miner', { device: 'auto', gpus: 1 }, probe(1)), { backend: 'cuda', ranks: 1, devices: [0] });
  assert.equal(describeTrainingDevices({ backend: 'cpu', ranks: 2, devices: [] }), 'training on 2 CPU ranks, data parallel with sharded optimiser states (ZeRO-1/2, CPU collectives)');
  assert.equal(describeTrainingDevices({ backend: 'cuda', ranks: 1, devices: [3] }), 'training on GPU 3');

  const refuses = (role: 'miner' | 'validator', f: Parameters<typeof planTrainingDevices>[1], count: number, re: RegExp) =>
    assert.throws(() => planTrainingDevices(role, f, probe(count)), (e: Error) => e instanceof GpuSelectionError && re.test(e.message), JSON.stringify(f));
  refuses('miner', { device: 'cuda', ranks: 2 }, 1, /--ranks runs data-parallel ranks on the CPU; on GPUs give --gpus N/);
  refuses('miner', { gpus: 2, ranks: 2 }, 2, /--ranks runs data-parallel ranks on the CPU/);
  refuses('validator', { ranks: 2 }, 0, /--ranks 2: a validator trains on one rank/);
  refuses('validator', { gpus: 2 }, 2, /--gpus 2: a validator trains on one GPU/);
  refuses('miner', { gpus: 2 }, 0, /--gpus 2: no usable CUDA device on this machine \(no CUDA addon at/);
  refuses('miner', { device: 'cuda:0,1' }, 8, /--device cuda:0,1: training on 2 GPUs needs the CUDA sharded engine, which is not built yet/);
  refuses('miner', { gpus: 4 }, 2, /--gpus 4: asks for GPU 2, 3 but this machine has 2/);
  refuses('miner', { device: 'cpu', gpus: 1 }, 0, /--gpus cannot be combined with --device cpu/);
  refuses('miner', { device: 'cuda:x' }, 1, /--device: "cuda:x" is not cpu, cuda, auto, cuda:N/);
  assert.equal(checkDeviceSyntax('cuda:0, 1'), 'cuda:0, 1');
});
