import type { Clock } from '../core/clock.ts';

export type TradingState = 'active' | 'reducing' | 'halted';

/**
 * What the pre-trade gate and the quote decision see: a trading state, or RECONCILING while the
 * engine settles its records with the venue's (no new orders then, whatever the state).
 */
export type GateState = TradingState | 'reconciling';

export interface KillSwitchState {
  engaged: boolean;
  at: number | null;
  by: string | null;
}

export interface StateChange {
  from: TradingState;
  to: TradingState;
  reason: string;
  at: number;
}

/**
 * Trading state with reasons, and the kill switch. The kill switch forces HALTED and stays engaged —
 * across restarts, through its persisted state — until the trader resets it; nothing else can lift a
 * halt caused by it. Other halts and reductions (limit breaches, storage failure) can be cleared by the
 * trader too, but the kill switch must be reset first.
 */
export class TradingStateMachine {
  private readonly clock: Clock;
  private current: TradingState = 'active';
  private why: string | null = null;
  private kill: KillSwitchState = { engaged: false, at: null, by: null };
  private readonly listeners: ((c: StateChange) => void)[] = [];

  constructor(clock: Clock, restored?: KillSwitchState) {
    this.clock = clock;
    if (restored?.engaged) {
      this.kill = { ...restored };
      this.current = 'halted';
      this.why = 'kill switch (engaged before restart)';
    }
  }

  state(): TradingState {
    return this.current;
  }

  reason(): string | null {
    return this.why;
  }

  killSwitch(): Readonly<KillSwitchState> {
    return this.kill;
  }

  onChange(listener: (c: StateChange) => void): void {
    this.listeners.push(listener);
  }

  /** Moves to a more restrictive state (active < reducing < halted); never relaxes. */
  escalate(to: TradingState, reason: string): void {
    const rank = { active: 0, reducing: 1, halted: 2 } as const;
    if (rank[to] <= rank[this.current]) return;
    this.set(to, reason);
  }

  engageKill(by: string): void {
    this.kill = { engaged: true, at: this.clock.now(), by };
    this.set('halted', 'kill switch');
  }

  /** The trader's reset: clears the kill switch and any halt or reduction. */
  reset(): void {
    this.kill = { engaged: false, at: null, by: null };
    this.set('active', 'reset by trader');
    this.why = null;
  }

  private set(to: TradingState, reason: string): void {
    const change: StateChange = { from: this.current, to, reason, at: this.clock.now() };
    this.current = to;
    this.why = reason;
    for (const l of this.listeners) l(change);
  }
}
