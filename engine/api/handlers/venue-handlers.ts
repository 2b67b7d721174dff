import { ack, type HandlerContext, type HandlerSlice } from './context.ts';

/** The venue link: reconcile on demand. */
export function venueHandlers(ctx: HandlerContext): HandlerSlice<'venue.reconcile'> {
  return {
    'venue.reconcile': async () => {
      ctx.requireStarted();
      const r = await ctx.node.reconcile('asked by the trader');
      return {
        ...ack(ctx.clock),
        missedFills: r.missedFills,
        closed: r.closed,
        strangers: r.strangers,
        settled: r.settled,
      };
    },
  };
}
