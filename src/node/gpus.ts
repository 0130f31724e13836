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
