/** Adds decimal strings of equal scale exactly, in integers of the smallest unit (b may be negated). */
export function addSizes(a: string, b: string, decimals: number, negateB = false): string {
  const toUnits = (s: string) => BigInt(s.replace('.', '').replace(/^0+(?=\d)/, '') || '0');
  const units = toUnits(a) + (negateB ? -toUnits(b) : toUnits(b));
  const sum = (units < 0n ? -units : units).toString().padStart(decimals + 1, '0');
  const text = decimals === 0 ? sum : `${sum.slice(0, -decimals)}.${sum.slice(-decimals)}`;
  return units < 0n ? `-${text}` : text;
}
