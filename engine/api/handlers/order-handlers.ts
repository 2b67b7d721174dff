import { EngineError } from '../../core/errors.ts';
import { priceToTicks, sizeToLots, type Lots } from '../../core/instrument.ts';
import type { SubmitResult } from '../../oms/order-manager.ts';
import { ack, type HandlerContext, type HandlerSlice } from './context.ts';

type OrderCommands = 'orders.place' | 'orders.cancel' | 'orders.cancelAll' | 'position.flatten';

function refused(r: Extract<SubmitResult, { ok: false }>, prefix = ''): EngineError {
  return new EngineError(r.code.startsWith('risk_') ? 'risk_rejected' : 'rejected', `${prefix}${r.message}`);
}

/** The trader's own orders: place, cancel, cancel all, flatten. Each passes the same risk gate as the model's. */
export function orderHandlers(ctx: HandlerContext): HandlerSlice<OrderCommands> {
  return {
    'orders.place': (input) => {
      const desk = ctx.desk(input.symbol);
      const inst = desk.instrument;
      const r = desk.oms.submit({
        side: input.side,
        type: 'limit',
        tif: input.postOnly ? 'post_only' : 'gtc',
        price: priceToTicks(inst, input.price),
        size: sizeToLots(inst, input.size),
        origin: 'manual',
      });
      if (!r.ok) throw refused(r);
      return { ...ack(ctx.clock), clientId: r.clientId };
    },
    'orders.cancel': ({ clientId, symbol }) => {
      const desk = ctx.desk(symbol);
      const r = desk.oms.cancel(clientId);
      if (!r.ok) throw new EngineError('not_found', r.message);
      return ack(ctx.clock);
    },
    'orders.cancelAll': async ({ symbol }) => {
      ctx.requireStarted();
      // No symbol: every instrument (a trader pressing "cancel all" means all of it).
      if (symbol !== undefined) ctx.desk(symbol);
      return { ...ack(ctx.clock), cancelled: await ctx.node.cancelAll(symbol) };
    },
    'position.flatten': async ({ symbol }) => {
      const desk = ctx.desk(symbol);
      desk.quoting = false;
      desk.requote();
      await ctx.node.cancelAll(desk.symbol);
      const pos = desk.portfolio.positionLots();
      if (pos === 0) return { ...ack(ctx.clock), clientId: null };
      const r = desk.oms.submit({
        side: pos > 0 ? 'sell' : 'buy',
        type: 'market',
        tif: 'ioc',
        size: Math.abs(pos) as Lots,
        origin: 'flatten',
      });
      if (!r.ok) throw refused(r, 'flatten refused: ');
      return { ...ack(ctx.clock), clientId: r.clientId };
    },
  };
}
