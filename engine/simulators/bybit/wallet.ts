import { Decimal } from '../../core/decimal.ts';
import type { Account } from './account.ts';

const ZERO = new Decimal(0);
/** The margin asset of the unified account. */
export const MARGIN_COIN = 'USDT';

/**
 * The unified wallet item (wallet-balance `list[0]`, the `wallet` topic): per coin its balance, the
 * part spot orders lock, and for USDT the perpetual margin and PnL; totals in USD at the spot marks.
 * Coins with a zero balance are left out unless asked for by name (A7). The deprecated
 * `availableToWithdraw` prints "" as the venue now sends it.
 */
export function walletItem(
  account: Account,
  valuation: (coin: string) => Decimal,
  only?: readonly string[],
): Record<string, unknown> {
  const ledger = account.ledger;
  const owner = account.spotOwner;
  const linear = account.positions;
  const coins = new Set([MARGIN_COIN, ...ledger.assets(owner)]);
  let totalWallet = ZERO;
  let totalEquity = ZERO;
  const list: Record<string, unknown>[] = [];
  for (const coin of [...coins].sort()) {
    const balance = ledger.total(owner, coin);
    const margin = coin === MARGIN_COIN;
    const upl = margin ? linear.unrealised() : ZERO;
    const spotLocked = ledger.locked(owner, coin).minus(margin ? linear.lockedByLinear() : ZERO);
    const equity = balance.plus(upl);
    const price = valuation(coin);
    totalWallet = totalWallet.plus(balance.mul(price));
    totalEquity = totalEquity.plus(equity.mul(price));
    const wanted = only === undefined ? !balance.isZero() || margin : only.includes(coin);
    if (!wanted) continue;
    list.push({
      coin,
      equity: equity.toFixed(),
      usdValue: equity.mul(price).toFixed(),
      walletBalance: balance.toFixed(),
      locked: Decimal.max(spotLocked, 0).toFixed(),
      spotHedgingQty: '0',
      borrowAmount: '0',
      accruedInterest: '0',
      totalOrderIM: margin ? money(linear.orderIM()) : '0',
      totalPositionIM: margin ? money(linear.positionMargin()) : '0',
      totalPositionMM: margin ? money(linear.maintenanceMargin()) : '0',
      unrealisedPnl: upl.toFixed(),
      cumRealisedPnl: margin ? money(linear.cumRealised()) : '0',
      bonus: '0',
      marginCollateral: true,
      collateralSwitch: true,
      availableToWithdraw: '',
      spotBorrow: '0',
    });
  }
  const upl = linear.unrealised();
  const marginBalance = totalWallet.plus(upl);
  const im = linear.orderIM().plus(linear.positionMargin());
  const mm = linear.maintenanceMargin();
  const spotLockedUsd = ledger.locked(owner, MARGIN_COIN).minus(linear.lockedByLinear());
  return {
    accountType: 'UNIFIED',
    accountLTV: '0',
    accountIMRate: rate(im, marginBalance),
    accountMMRate: rate(mm, marginBalance),
    totalEquity: totalEquity.toFixed(),
    totalWalletBalance: totalWallet.toFixed(),
    totalMarginBalance: marginBalance.toFixed(),
    totalAvailableBalance: marginBalance.minus(im).minus(spotLockedUsd).toFixed(),
    totalPerpUPL: upl.toFixed(),
    totalInitialMargin: money(im),
    totalMaintenanceMargin: money(mm),
    coin: list,
  };
}

/** Margin amounts are quotients (notional / leverage): printed to 8 decimals as the venue does. */
function money(d: Decimal): string {
  return d.toDecimalPlaces(8, Decimal.ROUND_HALF_EVEN).toFixed();
}

function rate(part: Decimal, whole: Decimal): string {
  if (whole.lte(0)) return '0';
  return part.div(whole).toDecimalPlaces(4, Decimal.ROUND_HALF_EVEN).toFixed();
}
