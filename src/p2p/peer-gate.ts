// Peer gating and the app-specific part of the gossipsub score.
// The chain layer feeds the set of PeerIds committed by registered hotkeys (and the
// validators among them) and a stake-based score. Until a set is given, everyone is
// admitted (a fresh node has not read the chain yet; a dev swarm may have no chain).
// A peer that signs an announcement while unregistered, or serves bytes that do not
// match their digest, gets a large negative app score: below gossipsub's graylist
// threshold its RPCs are ignored, and blob fetches try it last.

/** App score given to offenders: far below the graylist threshold. */
export const OFFENDER_SCORE = -10_000;
/** Gossipsub score thresholds used by the host (see host.ts). */
export const SCORE_THRESHOLDS = { gossipThreshold: -100, publishThreshold: -500, graylistThreshold: -1000, acceptPXThreshold: 10, opportunisticGraftThreshold: 5 };

export interface Offence {
  reason: string;
  atMs: number;
}

export class PeerGate {
  private registered: Set<string> | null = null;
  private validators = new Set<string>();
  private appScores = new Map<string, number>();
  private readonly offences = new Map<string, Offence[]>();

  setRegistered(peerIds: Set<string>, validators?: Set<string>): void {
    this.registered = new Set(peerIds);
    if (validators) {
      this.validators = new Set(validators);
      for (const v of validators) this.registered.add(v);
    }
  }

  setAppScores(scores: Map<string, number>): void {
    this.appScores = new Map(scores);
  }

  /** True when the peer may publish announcements. */
  isRegistered(peerId: string): boolean {
    return this.registered === null || this.registered.has(peerId);
  }

  /** True when the peer may publish manifests (validators; anyone registered until validators are known). */
  isValidator(peerId: string): boolean {
    if (this.validators.size === 0) return this.isRegistered(peerId);
    return this.validators.has(peerId);
  }

  validatorPeers(): string[] {
    return [...this.validators];
  }

  penalise(peerId: string, reason: string): void {
    const list = this.offences.get(peerId) ?? [];
    list.push({ reason, atMs: Date.now() });
    if (list.length > 16) list.shift();
    this.offences.set(peerId, list);
  }

  isPenalised(peerId: string): boolean {
    return this.offences.has(peerId);
  }

  penalties(): Map<string, Offence[]> {
    return new Map([...this.offences].map(([k, v]) => [k, [...v]]));
  }

  /** gossipsub appSpecificScore hook */
  readonly appScore = (peerId: string): number => {
    if (this.offences.has(peerId)) return OFFENDER_SCORE;
    const s = this.appScores.get(peerId) ?? 0;
    return Number.isFinite(s) ? s : 0;
  };
}
