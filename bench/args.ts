// The `--name value` flags of the benches that start testnets (chaos, soak): a value
// that is missing or not an integer in range is an error naming the flag.
export function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const v = args[i + 1];
  if (v === undefined || v.startsWith('--')) throw new Error(`--${name} needs a value`);
  return v;
}

export function num(args: string[], name: string, dflt: number, min = 1): number {
  const s = flag(args, name);
  if (s === undefined) return dflt;
  const v = Number(s);
  if (!Number.isInteger(v) || v < min) throw new Error(`--${name} needs an integer ≥ ${min} (got ${s})`);
  return v;
}
