// Whether other peers can dial this node, from what the node knows about its own
// addresses: the operator's --reachability, AutoNAT's verdicts on its addresses
// (libp2p's address manager marks an address verified once peers in other network
// segments dialled it back) and the relay addresses its reservations gave it. Pure:
// the node feeds it snapshots and logs the result when it changes.
import { multiaddr } from '@multiformats/multiaddr';
import { isPrivate } from '@libp2p/utils';
export const REACHABILITY_MODES = ['auto', 'public', 'private'];
export function isRelayAddr(addr) {
    return addr.includes('/p2p-circuit');
}
/** A direct address only peers on the same private network (or host) can reach. */
export function isPrivateAddr(addr) {
    try {
        return isPrivate(multiaddr(addr));
    }
    catch {
        return false;
    }
}
export function judgeReachability(mode, addrs) {
    const relayAddrs = addrs.filter((a) => isRelayAddr(a.addr)).map((a) => a.addr);
    const direct = addrs.filter((a) => !isRelayAddr(a.addr));
    const verifiedPublicAddrs = direct.filter((a) => a.verified && !isPrivateAddr(a.addr)).map((a) => a.addr);
    const relayed = relayAddrs.length > 0 ? `; ${relayAddrs.length} relay address(es)` : '; no relay reservation yet';
    if (mode === 'public')
        return { state: 'public', relayAddrs, verifiedPublicAddrs, reason: '--reachability public' };
    if (mode === 'private')
        return { state: 'private', relayAddrs, verifiedPublicAddrs, reason: `--reachability private${relayed}` };
    if (verifiedPublicAddrs.length > 0) {
        return { state: 'public', relayAddrs, verifiedPublicAddrs, reason: `AutoNAT verified ${verifiedPublicAddrs.join(', ')}` };
    }
    if (direct.every((a) => isPrivateAddr(a.addr))) {
        return { state: 'private', relayAddrs, verifiedPublicAddrs, reason: `only private or loopback addresses${relayed}` };
    }
    return { state: 'unknown', relayAddrs, verifiedPublicAddrs, reason: `no public address verified by AutoNAT yet${relayed}` };
}
/** Whether the node should hold a relay reservation: unless it is known to be dialable directly. */
export function wantsRelayReservation(mode) {
    // In auto mode the node reserves from the start: AutoNAT takes minutes and needs
    // peers in several network segments, and a node nobody can dial meanwhile misses
    // windows. A public node's relay address is listed after its direct ones, and
    // libp2p dials direct addresses first.
    return mode !== 'public';
}
//# sourceMappingURL=reachability.js.map