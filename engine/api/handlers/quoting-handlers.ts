import { EngineError } from '../../core/errors.ts';
import type { OverrideField } from '../contract.ts';
import { OVERRIDE_FIELDS, toEngineOverrides } from '../override-fields.ts';
import { ack, type HandlerContext, type HandlerSlice } from './context.ts';

type QuotingCommands =
  | 'instruments.select'
  | 'quoting.start'
  | 'quoting.stop'
  | 'quoting.pause'
  | 'quoting.resume'
  | 'overrides.set'
  | 'overrides.clear';

/** Quoting on and off, pauses, and the trader's overrides, per instrument. */
export function quotingHandlers(ctx: HandlerContext): HandlerSlice<QuotingCommands> {
  return {
    'instruments.select': ({ symbol }) => {
      ctx.select(symbol);
      return { ...ack(ctx.clock), symbol };
    },
    'quoting.start': ({ symbol }) => {
      const desk = ctx.desk(symbol);
      const store = ctx.store?.status();
      if (store && !store.ok)
        throw new EngineError(
          'unavailable',
          `cannot quote without a working database: ${store.message ?? 'unknown failure'}`,
        );
      const state = ctx.node.risk.effectiveState(desk.risk);
      if (state === 'halted')
        throw new EngineError(
          'rejected',
          `trading is halted (${ctx.node.risk.reasonFor(desk.risk) ?? 'no reason'}): reset first`,
        );
      desk.quoting = true;
      desk.requote();
      return ack(ctx.clock);
    },
    'quoting.stop': ({ symbol }) => {
      const desk = ctx.desk(symbol);
      desk.quoting = false;
      desk.requote();
      return ack(ctx.clock);
    },
    'quoting.pause': ({ side, symbol }) => {
      const desk = ctx.desk(symbol);
      desk.overrides.pause(side);
      ctx.overrideChanged(desk.symbol, { field: 'pause', value: `paused ${side}` });
      desk.requote();
      return ack(ctx.clock);
    },
    'quoting.resume': ({ side, symbol }) => {
      const desk = ctx.desk(symbol);
      desk.overrides.resume(side);
      ctx.overrideChanged(desk.symbol, { field: 'pause', value: `resumed ${side}` });
      desk.requote();
      return ack(ctx.clock);
    },
    'overrides.set': (input) => {
      const { symbol, ...values } = input;
      const desk = ctx.desk(symbol);
      const { values: engineValues, shown } = toEngineOverrides(desk.instrument, values);
      desk.overrides.set(engineValues, shown);
      for (const [field, value] of Object.entries(values) as [OverrideField, unknown][])
        ctx.overrideChanged(desk.symbol, { field, value: String(value) });
      desk.requote();
      return ack(ctx.clock);
    },
    'overrides.clear': ({ fields, symbol }) => {
      const desk = ctx.desk(symbol);
      desk.overrides.clear(fields.map((f) => OVERRIDE_FIELDS[f].key));
      for (const field of fields) ctx.overrideChanged(desk.symbol, { field, value: 'cleared' });
      desk.requote();
      return ack(ctx.clock);
    },
  };
}
