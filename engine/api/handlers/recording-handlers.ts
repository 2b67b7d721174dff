import { EngineError } from '../../core/errors.ts';
import type { RecordingInfo } from '../../store/recordings.ts';
import type { RecordingStatus, RecordingSummary } from '../contract.ts';
import { ack, type HandlerContext, type HandlerSlice, type RecordingControl } from './context.ts';

type RecordingCommand = 'recording.start' | 'recording.stop' | 'recordings.list' | 'recordings.delete';

/** Recording the session's market data, and the recordings list, from the workstation screen. */
export function recordingHandlers(ctx: HandlerContext): HandlerSlice<RecordingCommand> {
  const control = (): RecordingControl => {
    if (!ctx.recordings) throw new EngineError('unavailable', 'this session cannot record market data');
    return ctx.recordings;
  };
  return {
    'recording.start': (input) => {
      const recordings = control();
      ctx.requireStarted();
      const desks = ctx.node.desks();
      const symbols = input.symbols ? [...new Set(input.symbols)] : desks.map((d) => d.symbol);
      // The node's own instrument specs: what a replay needs to rebuild the same ticks and lots.
      const specs = symbols.map((symbol) => {
        const desk = desks.find((d) => d.symbol === symbol);
        if (!desk)
          throw new EngineError(
            'invalid_input',
            `${symbol} is not traded in this session: it trades ${desks.map((d) => d.symbol).join(', ')}`,
          );
        return desk.instrument.spec;
      });
      const running = recordings.start(input.name, specs);
      return { ...ack(ctx.clock), recording: statusView(running) };
    },
    'recording.stop': () => {
      const parts = control().stop();
      return { ...ack(ctx.clock), parts: parts.map(summaryView) };
    },
    'recordings.list': () => ({ recordings: control().list().map(summaryView) }),
    'recordings.delete': (input) => {
      control().delete(input.name);
      return { ...ack(ctx.clock), name: input.name };
    },
  };
}

export function statusView(running: NonNullable<ReturnType<RecordingControl['status']>>): RecordingStatus {
  return {
    name: running.name,
    parts: [...running.parts],
    events: running.events,
    bytes: running.bytes,
    since: running.since,
  };
}

export function summaryView(info: RecordingInfo): RecordingSummary {
  return {
    name: info.name,
    venue: info.venue,
    symbols: info.instruments.map((i) => i.symbol),
    createdAt: info.createdAt,
    status: info.status,
    spanMs: info.firstLocal === null || info.lastLocal === null ? 0 : info.lastLocal - info.firstLocal,
    firstLocal: info.firstLocal,
    lastLocal: info.lastLocal,
    events: info.events,
    bookEvents: info.bookEvents,
    tradeEvents: info.tradeEvents,
    bytes: info.bytes,
  };
}
