// Base ports for throwaway local networks (tests, benches). A port drawn from the
// kernel's ephemeral range can be taken between our pick and our bind by any outgoing
// connection on the machine (CI saw `listen EADDRINUSE 127.0.0.1:35036` that way), so
// the draw stays below that range. Each caller gets its own `span` of ports.
import { readFileSync } from 'node:fs';

const FLOOR = 10_000;

/** First port of the kernel's ephemeral range (Linux default 32768). */
export function ephemeralRangeStart(): number {
  try {
    const first = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    if (Number.isInteger(first) && first > FLOOR) return first;
  } catch {
    // not Linux: assume the IANA dynamic range
  }
  return 49_152;
}

/** A random base port p such that p .. p + span − 1 lie below the ephemeral range. */
export function randomBasePort(span = 1000): number {
  const top = ephemeralRangeStart() - span;
  if (top <= FLOOR) throw new Error(`no room for ${span} ports below the ephemeral range (starts at ${ephemeralRangeStart()})`);
  return FLOOR + Math.floor(Math.random() * (top - FLOOR));
}
