import { ack, type HandlerContext, type HandlerSlice } from './context.ts';

/** The kill switch and the trader's reset, account-wide. */
export function riskHandlers(ctx: HandlerContext): HandlerSlice<'risk.kill' | 'risk.reset'> {
  return {
    'risk.kill': async () => {
      ctx.requireStarted();
      await ctx.node.kill('trader');
      return ack(ctx.clock);
    },
    'risk.reset': () => {
      ctx.requireStarted();
      ctx.node.risk.reset();
      return ack(ctx.clock);
    },
  };
}
