/** Bybit's wire text conversions are the venues' shared ones (prices, sizes, amounts, times, shapes). */
export * from '../wire-text.ts';
