// Which local GPUs a miner trains on: `--device cuda:0,1,2,3` (a list of indices) or
// `--gpus N` (the first N). Pure parsing and checking against the number of devices
// present (the caller passes the CUDA probe's count), so that a typo or asking for
// more GPUs than the machine has is refused with the reason before anything starts.

export class GpuSelectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GpuSelectionError';
  }
}

export interface GpuSelection {
  /** 'cpu', or CUDA device indices in rank order (rank i drives devices[i]). */
  kind: 'cpu' | 'cuda';
  devices: number[];
}

const MAX_GPUS = 64;

function index(text: string, what: string): number {
  if (!/^\d+$/.test(text)) throw new GpuSelectionError(`${what}: "${text}" is not a GPU index (a whole number ≥ 0)`);
  const n = Number(text);
  if (n >= MAX_GPUS) throw new GpuSelectionError(`${what}: GPU index ${n} is above the limit of ${MAX_GPUS - 1}`);
  return n;
}

/**
 * Parses `device` ('cpu', 'cuda', 'cuda:N', 'cuda:0,1,2,3') and `gpus` (a count; only with
 * a CUDA device or none) into the GPUs to use; `present` is the number of CUDA devices
 * the probe saw (0 without CUDA). Throws GpuSelectionError naming the flag and the reason.
 */
export function parseGpuSelection(device: string | undefined, gpus: string | undefined, present: number): GpuSelection {
  let devices: number[] | undefined;
  if (device !== undefined && device !== 'cuda') {
    if (device === 'cpu') {
      if (gpus !== undefined) throw new GpuSelectionError('--gpus cannot be combined with --device cpu');
      return { kind: 'cpu', devices: [] };
    }
    const m = /^cuda:(.+)$/.exec(device);
    if (!m) throw new GpuSelectionError(`--device: "${device}" is not cpu, cuda, cuda:N or cuda:N,M,…`);
    devices = m[1]!.split(',').map((t) => index(t.trim(), '--device'));
    const seen = new Set<number>();
    for (const d of devices) {
      if (seen.has(d)) throw new GpuSelectionError(`--device: GPU ${d} is listed twice`);
      seen.add(d);
    }
    if (gpus !== undefined) throw new GpuSelectionError('--gpus cannot be combined with a device list (--device cuda:…): give one of them');
  }
  if (gpus !== undefined) {
    if (!/^\d+$/.test(gpus) || Number(gpus) < 1) throw new GpuSelectionError(`--gpus: "${gpus}" is not a positive whole number`);
    const n = Number(gpus);
    if (n > MAX_GPUS) throw new GpuSelectionError(`--gpus: ${n} is above the limit of ${MAX_GPUS}`);
    devices = Array.from({ length: n }, (_, i) => i);
  }
  devices ??= [0];
  if (present === 0) throw new GpuSelectionError(`${gpus !== undefined ? '--gpus' : '--device'}: no CUDA device is present on this machine`);
  const missing = devices.filter((d) => d >= present);
  if (missing.length > 0) {
    throw new GpuSelectionError(
      `${gpus !== undefined ? `--gpus ${gpus}` : `--device ${device}`}: asks for GPU ${missing.join(', ')} but this machine has ${present} (indices 0..${present - 1})`,
    );
  }
  return { kind: 'cuda', devices };
}

/** The line a node logs about the GPUs it uses. */
export function describeGpus(sel: GpuSelection): string {
  if (sel.kind === 'cpu') return 'training on the CPU';
  return sel.devices.length === 1
    ? `training on GPU ${sel.devices[0]}`
    : `training on ${sel.devices.length} GPUs (${sel.devices.join(', ')}), data parallel with sharded optimiser states`;
}

/**
 * What a node trains on: CPU ranks (`--ranks N`, threads over the CPU collectives, the
 * form CI runs), CUDA devices in rank order (`--gpus N` / `--device cuda:LIST`), or
 * 'auto' (no device flag: one rank, CUDA when it loads and sees a GPU, else the CPU).
 */
export type TrainingDevices =
  | { backend: 'auto'; ranks: 1; devices: [] }
  | { backend: 'cpu'; ranks: number; devices: [] }
  | { backend: 'cuda'; ranks: number; devices: number[] };

export interface DeviceFlags {
  /** --device: cpu, cuda, auto, cuda:N or cuda:N,M,… */
  device?: string;
  /** --gpus N: the first N CUDA devices */
  gpus?: number;
  /** --ranks N: data-parallel CPU ranks */
  ranks?: number;
}

/** The CUDA probe's answer: how many devices, and why none when there are none. */
export interface CudaPresence {
  count: number;
  reason: string;
}

const DEVICE_SYNTAX = /^(cpu|cuda|auto|cuda:\s*\d+(\s*,\s*\d+)*)$/;

/** Checks the form of a --device value (not the devices present): the flag's own parser. */
export function checkDeviceSyntax(value: string): string {
  if (!DEVICE_SYNTAX.test(value)) {
    throw new GpuSelectionError(`--device: "${value}" is not cpu, cuda, auto, cuda:N or cuda:N,M,… (e.g. cuda:0,1,2,3)`);
  }
  return value;
}

/**
 * Turns the device flags of a node into what it trains on; `probe` (called only when a
 * GPU is asked for) counts the CUDA devices. Refuses with the flag and the reason:
 * --ranks with a GPU flag, GPUs absent or not present, more than one rank for a
 * validator (its Gauntlet evaluates on one engine), and several GPUs, which need the
 * CUDA sharded engine (docs/cuda.md, "Many GPUs": not built yet).
 */
export function planTrainingDevices(role: 'miner' | 'validator', f: DeviceFlags, probe: () => CudaPresence): TrainingDevices {
  const device = f.device === undefined ? undefined : checkDeviceSyntax(f.device.trim());
  const gpuAsked = f.gpus !== undefined || (device !== undefined && device.startsWith('cuda'));
  if (f.ranks !== undefined) {
    if (!Number.isInteger(f.ranks) || f.ranks < 1 || f.ranks > MAX_GPUS) throw new GpuSelectionError(`--ranks: ${f.ranks} is not a whole number from 1 to ${MAX_GPUS}`);
    if (gpuAsked) throw new GpuSelectionError('--ranks runs data-parallel ranks on the CPU; on GPUs give --gpus N or --device cuda:LIST instead');
    if (role === 'validator' && f.ranks > 1) throw new GpuSelectionError(`--ranks ${f.ranks}: a validator trains on one rank (its Gauntlet evaluates on one engine); only miners shard`);
    return { backend: 'cpu', ranks: f.ranks, devices: [] };
  }
  if (!gpuAsked) {
    return device === 'cpu' ? { backend: 'cpu', ranks: 1, devices: [] } : { backend: 'auto', ranks: 1, devices: [] };
  }
  if (f.gpus !== undefined && device !== undefined && device !== 'cuda' && device !== 'auto') {
    throw new GpuSelectionError(device === 'cpu' ? '--gpus cannot be combined with --device cpu' : '--gpus cannot be combined with a device list (--device cuda:…): give one of them');
  }
  const flag = f.gpus !== undefined ? `--gpus ${f.gpus}` : `--device ${device}`;
  const present = probe();
  if (present.count === 0) throw new GpuSelectionError(`${flag}: no usable CUDA device on this machine (${present.reason})`);
  const sel = parseGpuSelection(device === 'auto' ? undefined : device, f.gpus === undefined ? undefined : String(f.gpus), present.count);
  if (role === 'validator' && sel.devices.length > 1) throw new GpuSelectionError(`${flag}: a validator trains on one GPU (its Gauntlet evaluates on one engine); only miners shard`);
  if (sel.devices.length > 1) {
    throw new GpuSelectionError(
      `${flag}: training on ${sel.devices.length} GPUs needs the CUDA sharded engine, which is not built yet (docs/cuda.md, "Many GPUs"); ` +
        'use one GPU (--device cuda:N), or --device cpu --ranks N for data parallel on the CPU',
    );
  }
  return { backend: 'cuda', ranks: 1, devices: sel.devices };
}

/** The line a node logs at start about what it trains on. */
export function describeTrainingDevices(t: TrainingDevices): string {
  if (t.backend === 'auto') return 'training on one rank: CUDA when it loads and sees a GPU, else the CPU (--device auto)';
  if (t.backend === 'cpu') {
    return t.ranks === 1 ? 'training on the CPU' : `training on ${t.ranks} CPU ranks, data parallel with sharded optimiser states (ZeRO-1/2, CPU collectives)`;
  }
  return describeGpus({ kind: 'cuda', devices: t.devices });
}
