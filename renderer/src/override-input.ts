/**
 * Turns the typed text into the command's value. Only the format is checked here (a number where a
 * number belongs); whether the value is acceptable is the engine's call, and its answer is shown.
 */
export function parseOverride(
  kind: 'number' | 'int' | 'decimal',
  text: string,
): { ok: true; value: number | string } | { ok: false; message: string } {
  const t = text.trim();
  if (kind === 'decimal')
    return /^\d+(\.\d+)?$/.test(t)
      ? { ok: true, value: t }
      : { ok: false, message: 'a decimal number such as 0.010' };
  if (!/^-?\d+(\.\d+)?(e-?\d+)?$/i.test(t)) return { ok: false, message: 'a number' };
  const n = Number(t);
  if (kind === 'int' && !Number.isInteger(n)) return { ok: false, message: 'a whole number' };
  return { ok: true, value: n };
}
