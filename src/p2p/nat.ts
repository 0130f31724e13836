// NAT traversal for the libp2p host: the circuit relay v2 transport (every node can
// dial through a relay; a node that is not known to be public holds a reservation on
// one, so peers can reach it), a relay server on nodes that serve (--relay.serve:
// validators by default), AutoNAT (peers dial our addresses back: are we public?)
// and DCUtR (a relayed connection is upgraded to a direct one where the NATs allow).
// The host (host.ts) takes its transports, services and listen addresses from here;
// NatMonitor turns libp2p's events into the node's log lines and counters.
import { autoNAT } from '@libp2p/autonat';
import { circuitRelayServer, circuitRelayTransport, RELAY_V2_HOP_CODEC, type CircuitRelayServerInit, type CircuitRelayService } from '@libp2p/circuit-relay-v2';
import { dcutr } from '@libp2p/dcutr';
import type { Connection, IdentifyResult, Libp2p, Stream } from '@libp2p/interface';
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import { isRelayAddr, judgeReachability, wantsRelayReservation, type OwnAddress, type ReachabilityMode, type ReachabilityView } from './reachability.js';

export interface RelayServeOptions {
  /** reservations held for other peers at once (each relays any number of connections) */
  maxReservations: number;
  /**
   * bytes one relayed connection may carry (0 = no limit). A limit makes every relayed
   * connection "limited" in libp2p's sense: only protocols that opt in run on it (the
   * blob protocol does; gossipsub, the DHT and identify do not).
   */
  dataLimitBytes: number;
  /** how long one relayed connection may stay open, ms (0 = no limit; a limit makes it limited too) */
  durationLimitMs: number;
}

export interface NatOptions {
  reachability: ReachabilityMode;
  /** serve as a relay for other peers (validators by default) */
  relay?: RelayServeOptions;
}

export const DEFAULT_NAT: NatOptions = { reachability: 'auto' };
export const DEFAULT_RELAY_SERVE: RelayServeOptions = { maxReservations: 64, dataLimitBytes: 0, durationLimitMs: 0 };

/**
 * The relay server's settings. A payload is megabytes and a window lasts seconds to
 * minutes, so libp2p's default circuit limits (128 KiB and 2 min per relayed
 * connection, made for hole-punching only) would cut every transfer: with no limit
 * configured, none is applied. Reservations expire after an hour and are refreshed
 * by their holders; an offender is refused one (the connection gater, host.ts).
 */
export function relayServerInit(o: RelayServeOptions): CircuitRelayServerInit {
  const limited = o.dataLimitBytes > 0 || o.durationLimitMs > 0;
  return {
    hopTimeout: 30_000,
    reservations: {
      maxReservations: o.maxReservations,
      reservationTtl: 60 * 60_000,
      applyDefaultLimit: limited,
      // with one limit set, the other is as good as none (libp2p applies both or neither)
      ...(limited
        ? {
            defaultDataLimit: o.dataLimitBytes > 0 ? BigInt(o.dataLimitBytes) : BigInt(Number.MAX_SAFE_INTEGER),
            defaultDurationLimit: o.durationLimitMs > 0 ? o.durationLimitMs : 2 ** 31 - 1,
          }
        : {}),
    },
  };
}

export function natTransports(): Array<ReturnType<typeof circuitRelayTransport>> {
  // a relay that does not answer a reservation within 10 s is skipped (loaded machines)
  return [circuitRelayTransport({ reservationCompletionTimeout: 10_000 })];
}

export type NatServices = { autoNAT: unknown; dcutr: unknown; relay?: CircuitRelayService };

export function natServices(o: NatOptions): Record<string, (components: never) => unknown> {
  const services: Record<string, (components: never) => unknown> = {
    autoNAT: autoNAT({ startupDelay: 5_000 }) as (c: never) => unknown,
    dcutr: dcutr() as (c: never) => unknown,
  };
  if (o.relay) services.relay = circuitRelayServer(relayServerInit(o.relay)) as (c: never) => unknown;
  return services;
}

/** Relays a node that is not known to be public keeps a reservation on (more only cost the relays). */
export const WANTED_RELAYS = 2;
/** A relay that refused or failed a reservation is asked again after this long. */
const RELAY_RETRY_MS = 30_000;

/**
 * Keeps reservations on up to WANTED_RELAYS relays: peers that (by identify) speak
 * the relay's hop protocol, over a direct connection. Each reservation is a listen on
 * RELAY_ADDR/p2p-circuit (the relay transport's "listen on this relay"). The
 * transport's own relay search (listening on a bare /p2p-circuit) is not used: it
 * runs libp2p's random DHT walk without pause until it finds a relay, and with no
 * peers yet that walk spun the event loop (a node never finished starting).
 */
export class RelayClient {
  private readonly candidates = new Set<string>();
  private readonly pending = new Set<string>();
  private readonly failedAt = new Map<string, number>();
  private timer?: NodeJS.Timeout;
  private readonly onIdentify = (evt: CustomEvent<IdentifyResult>): void => {
    const { peerId, protocols, connection } = evt.detail;
    if (!protocols.includes(RELAY_V2_HOP_CODEC) || isRelayed(connection)) return;
    this.candidates.add(peerId.toString());
    this.maybeReserve();
  };
  private readonly onChange = (): void => { this.maybeReserve(); };

  constructor(private readonly libp2p: Libp2p, private readonly wanted = WANTED_RELAYS) {}

  start(): void {
    this.libp2p.addEventListener('peer:identify', this.onIdentify);
    this.libp2p.addEventListener('self:peer:update', this.onChange);
    // a relay lost (its connection closed) or one that refused us is tried again
    this.timer = setInterval(() => this.maybeReserve(), 10_000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.libp2p.removeEventListener('peer:identify', this.onIdentify);
    this.libp2p.removeEventListener('self:peer:update', this.onChange);
  }

  /** Relays (PeerIds) this node holds a reservation on: those named in its relay addresses. */
  reservedOn(): Set<string> {
    const relays = new Set<string>();
    for (const a of this.libp2p.getMultiaddrs()) {
      const s = a.toString();
      const at = s.indexOf('/p2p-circuit');
      if (at < 0) continue;
      const relay = s.slice(0, at).split('/p2p/')[1];
      if (relay) relays.add(relay);
    }
    return relays;
  }

  private maybeReserve(): void {
    if (this.libp2p.status !== 'started') return;
    const held = this.reservedOn();
    const now = Date.now();
    for (const relay of this.candidates) {
      if (held.size + this.pending.size >= this.wanted) return;
      if (held.has(relay) || this.pending.has(relay) || now - (this.failedAt.get(relay) ?? -Infinity) < RELAY_RETRY_MS) continue;
      const addr = this.relayAddr(relay);
      if (!addr) continue;
      this.pending.add(relay);
      const tm = (this.libp2p as unknown as { components?: { transportManager?: { listen(a: Multiaddr[]): Promise<void> } } }).components?.transportManager;
      if (!tm) return;
      tm.listen([addr.encapsulate('/p2p-circuit')])
        .then(() => this.failedAt.delete(relay))
        .catch(() => this.failedAt.set(relay, Date.now()))
        .finally(() => this.pending.delete(relay));
    }
  }

  /** A direct address of the relay, with its /p2p/ id: the remote address of our outbound connection to it. */
  private relayAddr(relay: string): Multiaddr | undefined {
    const conns = this.libp2p.getConnections().filter((c) => c.remotePeer.toString() === relay && !isRelayed(c));
    if (conns.length === 0) {
      this.candidates.delete(relay); // seen again at its next identify
      return undefined;
    }
    const out = conns.find((c) => c.direction === 'outbound') ?? conns[0]!;
    // an inbound connection's remote port is the relay's ephemeral one; the relay
    // transport reuses the open connection to the peer either way
    const base = out.remoteAddr.toString().split('/p2p/')[0]!;
    return multiaddr(`${base}/p2p/${relay}`);
  }
}

/** A gradmesh payload protocol (blob, swarm), not the DHT (also under /gradmesh/). */
export function isPayloadProtocol(protocol: string | undefined): boolean {
  return protocol !== undefined && protocol.startsWith('/gradmesh/') && !protocol.endsWith('/kad/1.0.0');
}

/** A connection made through a relay (its remote address runs through /p2p-circuit). */
export function isRelayed(conn: Pick<Connection, 'remoteAddr'>): boolean {
  return isRelayAddr(conn.remoteAddr.toString());
}

export type NatEvent =
  | { event: 'reachability'; state: ReachabilityView['state']; reason: string; relayAddrs: string[] }
  | { event: 'relayed_connection'; peer: string; direction: 'inbound' | 'outbound'; remoteAddr: string }
  /** the first payload stream (blob, swarm: any /gradmesh/ protocol but the DHT) over a relayed connection (one line per connection) */
  | { event: 'relayed_blob'; peer: string; direction: 'inbound' | 'outbound'; protocol: string };

export interface NatStats {
  reachability: ReachabilityView['state'];
  /** this node's addresses through a relay */
  relayAddrs: number;
  /** relayed connections opened since start, and open now */
  relayedConnectionsOpened: number;
  relayedConnectionsOpen: number;
  /** payload streams (blob, swarm; either direction) seen over a relayed connection */
  relayedBlobStreams: number;
  /** reservations this node holds for others (as a relay) */
  reservationsServed: number;
}

type AddressManagerView = { getAddressesWithMetadata?: () => Array<{ multiaddr: { toString(): string }; verified: boolean }> };

/** Watches the host: reachability from its addresses, relayed connections; reports changes. */
export class NatMonitor {
  private view: ReachabilityView;
  private lastKey = '';
  private opened = 0;
  private blobStreams = 0;
  private readonly onUpdate = (): void => { this.refresh(); };
  private readonly onOpen = (evt: CustomEvent<Connection>): void => {
    const c = evt.detail;
    if (!isRelayed(c)) return;
    this.opened++;
    this.emit({ event: 'relayed_connection', peer: c.remotePeer.toString(), direction: c.direction, remoteAddr: c.remoteAddr.toString() });
  };

  private readonly relays?: RelayClient;

  constructor(
    private readonly libp2p: Libp2p,
    private readonly mode: ReachabilityMode,
    private readonly emit: (e: NatEvent) => void,
    listen: string[] = [],
  ) {
    this.view = judgeReachability(mode, []);
    if (wantsRelayReservation(mode, listen)) this.relays = new RelayClient(libp2p);
  }

  start(): void {
    this.libp2p.addEventListener('self:peer:update', this.onUpdate);
    this.libp2p.addEventListener('connection:open', this.onOpen);
    this.relays?.start();
    this.scanTimer = setInterval(() => this.scan(), 1000);
    this.scanTimer.unref();
    this.refresh();
  }

  stop(): void {
    clearInterval(this.scanTimer);
    this.relays?.stop();
    this.libp2p.removeEventListener('self:peer:update', this.onUpdate);
    this.libp2p.removeEventListener('connection:open', this.onOpen);
  }

  private readonly blobConns = new WeakSet<object>();
  private readonly seenStreams = new WeakSet<object>();
  private scanTimer?: NodeJS.Timeout;

  /** Counts a payload stream if it runs over a relayed connection (`inbound`: one we serve). */
  noteStream(conn: Connection, stream: Stream): void {
    if (!isRelayed(conn) || this.seenStreams.has(stream)) return;
    this.seenStreams.add(stream);
    this.blobStreams++;
    if (this.blobConns.has(conn)) return;
    this.blobConns.add(conn);
    this.emit({ event: 'relayed_blob', peer: conn.remotePeer.toString(), direction: stream.direction, protocol: stream.protocol });
  }

  /**
   * Long-lived payload streams (a swarm session) are found by a scan of the relayed
   * connections once a second; the node reports the short ones it opens (a blob
   * range) itself. (libp2p 3.3's stream middleware, registrar.use(), would see every
   * stream, but it appends the protocol's handler to the shared middleware list on
   * every inbound stream: the list grows without bound and the first handler ever
   * registered stays in it, so a handler replaced later never runs.)
   */
  private scan(): void {
    for (const c of this.libp2p.getConnections()) {
      if (!isRelayed(c)) continue;
      for (const s of c.streams) if (isPayloadProtocol(s.protocol)) this.noteStream(c, s);
    }
  }

  stats(): NatStats {
    const relay = (this.libp2p.services as { relay?: CircuitRelayService }).relay;
    return {
      reachability: this.view.state,
      relayAddrs: this.view.relayAddrs.length,
      relayedConnectionsOpened: this.opened,
      relayedConnectionsOpen: this.libp2p.getConnections().filter(isRelayed).length,
      relayedBlobStreams: this.blobStreams,
      reservationsServed: relay?.reservations.size ?? 0,
    };
  }

  private ownAddresses(): OwnAddress[] {
    // libp2p's address manager knows which addresses are verified; it is not on the
    // public interface, so fall back to the announced addresses (all counted unverified,
    // relay addresses verified: a reservation is the relay's word)
    const am = (this.libp2p as unknown as { components?: { addressManager?: AddressManagerView } }).components?.addressManager;
    const withMeta = am?.getAddressesWithMetadata?.();
    if (withMeta) return withMeta.map((a) => ({ addr: a.multiaddr.toString(), verified: a.verified }));
    return this.libp2p.getMultiaddrs().map((a) => ({ addr: a.toString(), verified: isRelayAddr(a.toString()) }));
  }

  private refresh(): void {
    this.view = judgeReachability(this.mode, this.ownAddresses());
    const key = `${this.view.state} ${[...this.view.relayAddrs].sort().join(' ')}`;
    if (key === this.lastKey) return;
    this.lastKey = key;
    this.emit({ event: 'reachability', state: this.view.state, reason: this.view.reason, relayAddrs: this.view.relayAddrs });
  }
}
