// Whether other peers can dial this node, from what the node knows about its own
// addresses: the operator's --reachability, AutoNAT's verdicts on its addresses
// (libp2p's address manager marks an address verified once peers in other network
// segments dialled it back) and the relay addresses its reservations gave it. Pure:
// the node feeds it snapshots and logs the result when it changes.
import { multiaddr } from '@multiformats/multiaddr';
import { isPrivate } from '@libp2p/utils';

/** `auto` learns it (AutoNAT); `public`/`private` are the operator's word for it. */
export type ReachabilityMode = 'auto' | 'public' | 'private';
export const REACHABILITY_MODES: readonly ReachabilityMode[] = ['auto', 'public', 'private'];

/**
 * public: dialled directly (an address AutoNAT verified, or the operator says so).
 * private: only through a relay (or by peers on its own LAN): the node holds a relay reservation for that.
 * unknown: not settled yet (a globally routable address nobody has dialled back yet).
 */
export type Reachability = 'public' | 'private' | 'unknown';

/** One of the node's own addresses as libp2p's address manager lists it. */
export interface OwnAddress {
  addr: string;
  /** confirmed dialable: by AutoNAT, or a transport (a relay reservation) */
  verified: boolean;
}

export interface ReachabilityView {
  state: Reachability;
  /** addresses through a relay (/p2p-circuit) */
  relayAddrs: string[];
  /** direct addresses confirmed dialable from outside the node's network */
  verifiedPublicAddrs: string[];
  /** why, in words (logged) */
  reason: string;
}

export function isRelayAddr(addr: string): boolean {
  return addr.includes('/p2p-circuit');
}

/** A direct address only peers on the same private network (or host) can reach. */
export function isPrivateAddr(addr: string): boolean {
  try {
    return isPrivate(multiaddr(addr));
  } catch {
    return false;
  }
}

export function judgeReachability(mode: ReachabilityMode, addrs: OwnAddress[]): ReachabilityView {
  const relayAddrs = addrs.filter((a) => isRelayAddr(a.addr)).map((a) => a.addr);
  const direct = addrs.filter((a) => !isRelayAddr(a.addr));
  const verifiedPublicAddrs = direct.filter((a) => a.verified && !isPrivateAddr(a.addr)).map((a) => a.addr);
  const relayed = relayAddrs.length > 0 ? `; ${relayAddrs.length} relay address(es)` : '; no relay reservation yet';
  if (mode === 'public') return { state: 'public', relayAddrs, verifiedPublicAddrs, reason: '--reachability public' };
  if (mode === 'private') return { state: 'private', relayAddrs, verifiedPublicAddrs, reason: `--reachability private${relayed}` };
  if (direct.length > 0 && direct.every((a) => isLoopbackAddr(a.addr))) {
    return { state: 'public', relayAddrs, verifiedPublicAddrs, reason: 'only loopback addresses: every peer is on this host and dials them directly' };
  }
  if (verifiedPublicAddrs.length > 0) {
    return { state: 'public', relayAddrs, verifiedPublicAddrs, reason: `AutoNAT verified ${verifiedPublicAddrs.join(', ')}` };
  }
  if (direct.every((a) => isPrivateAddr(a.addr))) {
    return { state: 'private', relayAddrs, verifiedPublicAddrs, reason: `only private or loopback addresses${relayed}` };
  }
  return { state: 'unknown', relayAddrs, verifiedPublicAddrs, reason: `no public address verified by AutoNAT yet${relayed}` };
}

/** A loopback address: only processes on this host reach it. */
export function isLoopbackAddr(addr: string): boolean {
  return addr.startsWith('/ip4/127.') || addr.startsWith('/ip6/::1/');
}

/**
 * Whether the node should hold a relay reservation: unless it is known to be dialable
 * directly. A node that listens on loopback only (a one-machine testnet) is dialled
 * directly by every peer it can have, and a relay on the same host adds nothing: in
 * auto mode it reserves nowhere. (On a 10-node chaos testnet the reservations, the
 * relay addresses they add to every peer record and the address changes they push
 * cost each node CPU the 2-core box did not have: the lead validator overran windows.)
 */
export function wantsRelayReservation(mode: ReachabilityMode, listen: string[] = []): boolean {
  if (mode === 'auto' && listen.length > 0 && listen.every(isLoopbackAddr)) return false;
  // In auto mode the node reserves from the start: AutoNAT takes minutes and needs
  // peers in several network segments, and a node nobody can dial meanwhile misses
  // windows. A public node's relay address is listed after its direct ones, and
  // libp2p dials direct addresses first.
  return mode !== 'public';
}
