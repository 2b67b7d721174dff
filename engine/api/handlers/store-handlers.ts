import { EngineError } from '../../core/errors.ts';
import { ack, type HandlerContext, type HandlerSlice } from './context.ts';

/** On-demand backups of the database the host runs. */
export function storeHandlers(ctx: HandlerContext): HandlerSlice<'store.backup'> {
  return {
    'store.backup': async () => {
      ctx.requireStarted();
      const store = ctx.store;
      const status = store?.status();
      if (!store || !status?.ok)
        throw new EngineError('unavailable', status?.message ?? 'this session has no database to back up');
      const r = await store.backup();
      return { ...ack(ctx.clock), file: r.file };
    },
  };
}
