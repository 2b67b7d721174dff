import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { RecordingSummary } from '../../../engine/api/contract.ts';
import { formatClock } from '../format.ts';
import {
  defaultRecordingName,
  formatBytes,
  formatCount,
  formatSpan,
  recordingNameHint,
  unusedRecordingName,
} from '../recording-format.ts';
import { useEngineStore } from '../store/engine-store.ts';
import {
  closeRecordings,
  loadRecordings,
  openRecordings,
  useRecordingsStore,
} from '../store/recordings-store.ts';

/** The running recording's figures for the screen, or null; primitives, so a shallow pick holds. */
function useRunning() {
  return useEngineStore(
    useShallow((s) => {
      const r = s.state?.recording;
      if (!r) return null;
      return {
        name: r.name,
        part: r.parts[r.parts.length - 1] ?? r.name,
        partCount: r.parts.length,
        events: r.events,
        bytes: r.bytes,
        since: r.since,
      };
    }),
  );
}

type Outcome = { ok: boolean; text: string } | null;

/** Stops the running recording; the outcome in words, and the list read again. */
async function stopRecording(): Promise<Outcome> {
  const r = await useEngineStore.getState().invoke('recording.stop', {});
  void loadRecordings();
  if (!r.ok) return { ok: false, text: r.error.message };
  const parts = r.value.parts;
  const events = parts.reduce((n, p) => n + p.events, 0);
  const bytes = parts.reduce((n, p) => n + p.bytes, 0);
  const names = parts.map((p) => p.name).join(', ');
  return { ok: true, text: `saved ${names}: ${formatCount(events)} events, ${formatBytes(bytes)}` };
}

/**
 * The header's recording control: a red "● REC name · N events · size" while recording, with its
 * Stop, and the way into the recordings dialog. The figures come with every snapshot.
 */
export function RecordingIndicator() {
  const running = useRunning();
  const [error, setError] = useState<string | null>(null);
  return (
    <span className="recording-control" data-testid="recording-control">
      {running ? (
        <>
          <button
            className="rec-indicator num"
            data-testid="rec-indicator"
            data-events={running.events}
            data-bytes={running.bytes}
            title={`Recording since ${formatClock(running.since)} UTC${
              running.partCount > 1 ? `, now in part ${running.part}` : ''
            }: open the recordings`}
            onClick={openRecordings}
          >
            <span className="rec-dot">●</span> REC {running.name} ·{' '}
            <span data-testid="rec-events">{formatCount(running.events)}</span> events ·{' '}
            <span data-testid="rec-size">{formatBytes(running.bytes)}</span>
          </button>
          <button
            data-testid="rec-stop-header"
            onClick={() =>
              void stopRecording().then((o) => {
                setError(o && !o.ok ? o.text : null);
              })
            }
          >
            Stop
          </button>
        </>
      ) : (
        <button data-testid="open-recordings" onClick={openRecordings}>
          Record…
        </button>
      )}
      {error ? (
        <span className="error rec-error" role="alert" data-testid="rec-header-error" title={error}>
          {error}
        </span>
      ) : null}
    </span>
  );
}

/**
 * Starting a recording: a name proposed from the instruments and the engine's time (kept once the
 * trader edits it), and the instruments to record, every one the session trades by default.
 */
function StartForm(props: { onOutcome: (o: Outcome) => void }) {
  const invoke = useEngineStore((s) => s.invoke);
  const symbols = useEngineStore(useShallow((s) => s.state?.instruments.map((i) => i.symbol) ?? []));
  const taken = useRecordingsStore(useShallow((s) => s.recordings?.map((r) => r.name) ?? []));
  // The time the form opened: the proposed name must not change under the cursor every snapshot.
  const [openedAt] = useState(() => useEngineStore.getState().state?.time ?? Date.now());
  const [excluded, setExcluded] = useState<string[]>([]);
  const [typed, setTyped] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const chosen = symbols.filter((s) => !excluded.includes(s));
  const name = typed ?? unusedRecordingName(defaultRecordingName(chosen, openedAt), taken);
  const hint = recordingNameHint(name);

  const start = async () => {
    setPending(true);
    setError(null);
    const r = await invoke('recording.start', { name, symbols: chosen });
    setPending(false);
    if (r.ok) {
      props.onOutcome(null);
      void loadRecordings();
    } else setError(r.error.message);
  };

  return (
    <form
      className="rec-form"
      data-testid="rec-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (!pending && chosen.length > 0) void start();
      }}
    >
      <div className="rec-form-row">
        <label htmlFor="rec-name">Name</label>
        <input
          id="rec-name"
          className="num rec-name"
          data-testid="rec-name"
          value={name}
          spellCheck={false}
          autoComplete="off"
          aria-invalid={hint !== null}
          onChange={(e) => {
            setError(null);
            setTyped(e.target.value);
          }}
        />
        <button
          type="submit"
          className="btn-rec"
          data-testid="rec-start"
          disabled={pending || chosen.length === 0}
        >
          Start recording
        </button>
      </div>
      {hint ? (
        <div className="hint-line" data-testid="rec-name-hint">
          {hint}
        </div>
      ) : null}
      <fieldset className="rec-symbols" disabled={pending}>
        <legend>Instruments</legend>
        {symbols.map((s) => (
          <label key={s}>
            <input
              type="checkbox"
              data-testid={`rec-symbol-${s}`}
              checked={!excluded.includes(s)}
              onChange={(e) => {
                setError(null);
                setExcluded((x) => (e.target.checked ? x.filter((y) => y !== s) : [...x, s]));
              }}
            />{' '}
            {s}
          </label>
        ))}
        {symbols.length === 0 ? <span className="muted">waiting for the session’s instruments…</span> : null}
      </fieldset>
      <p className="muted rec-note">
        Every book update and public trade of the chosen instruments is kept, with the venue’s time and ours,
        in recordings.sqlite beside the app’s data, ready to replay in a backtest. A long recording continues
        in parts (NAME.2, NAME.3…).
      </p>
      {error ? (
        <div className="error" role="alert" data-testid="rec-error">
          {error}
        </div>
      ) : null}
    </form>
  );
}

/** What runs now, with its Stop; or the start form. */
function RecordControl() {
  const running = useRunning();
  const [outcome, setOutcome] = useState<Outcome>(null);
  return (
    <section className="rec-control" data-testid="rec-control">
      <h3>Record market data</h3>
      {running ? (
        <div className="rec-running" data-testid="rec-running">
          <span className="rec-live num">
            <span className="rec-dot">●</span> Recording <strong>{running.name}</strong>
            {running.partCount > 1 ? ` (part ${running.part})` : ''} since {formatClock(running.since)} ·{' '}
            {formatCount(running.events)} events · {formatBytes(running.bytes)}
          </span>
          <button
            data-testid="rec-stop"
            onClick={() => {
              setOutcome(null);
              void stopRecording().then(setOutcome);
            }}
          >
            Stop recording
          </button>
        </div>
      ) : (
        <StartForm onOutcome={setOutcome} />
      )}
      {outcome ? (
        <div
          className={outcome.ok ? 'ok-note' : 'error'}
          role={outcome.ok ? 'status' : 'alert'}
          data-testid="rec-outcome"
        >
          {outcome.text}
        </div>
      ) : null}
    </section>
  );
}

/** "2026-01-05 09:00" in UTC, the engine clock's zone. */
function formatDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

function RecordingRow(props: {
  recording: RecordingSummary;
  writing: boolean;
  confirming: boolean;
  onAsk: () => void;
  onKeep: () => void;
  onDelete: () => void;
}) {
  const r = props.recording;
  return (
    <tr
      className={props.writing ? 'rec-row rec-row--writing' : 'rec-row'}
      data-testid="recording-row"
      data-name={r.name}
    >
      <td className="num" data-testid="recording-name">
        {r.name}
      </td>
      <td data-testid="recording-symbols">{r.symbols.join(', ')}</td>
      <td className="num muted">{formatDate(r.createdAt)}</td>
      {props.writing ? (
        // Stored figures lag by a chunk while the part is written; the header counts it live.
        <td className="muted right" colSpan={3} data-testid="recording-live">
          counted live in the header
        </td>
      ) : (
        <>
          <td className="num right" data-testid="recording-span">
            {formatSpan(r.spanMs)}
          </td>
          <td
            className="num right"
            data-testid="recording-events"
            title={`${formatCount(r.bookEvents)} book, ${formatCount(r.tradeEvents)} trades`}
          >
            {formatCount(r.events)}
          </td>
          <td className="num right" data-testid="recording-size" data-bytes={r.bytes}>
            {formatBytes(r.bytes)}
          </td>
        </>
      )}
      <td data-testid="recording-status" className={props.writing ? 'rec-writing' : 'muted'}>
        {props.writing ? '● recording' : r.status === 'recording' ? 'incomplete' : 'complete'}
      </td>
      <td className="rec-actions">
        {props.confirming ? (
          <>
            <button
              className="btn-kill"
              data-testid="recording-delete-confirm"
              title={`delete ${r.name} for good`}
              onClick={props.onDelete}
            >
              Delete for good
            </button>
            <button data-testid="recording-delete-keep" onClick={props.onKeep}>
              Keep
            </button>
          </>
        ) : (
          <button
            data-testid="recording-delete"
            disabled={props.writing}
            title={props.writing ? 'being written: stop the recording first' : 'delete this recording'}
            onClick={props.onAsk}
          >
            Delete…
          </button>
        )}
      </td>
    </tr>
  );
}

/** The recordings in the data directory, newest first; Delete asks once more in the row. */
function RecordingsList() {
  const invoke = useEngineStore((s) => s.invoke);
  const { recordings, listError, loading } = useRecordingsStore(
    useShallow((s) => ({ recordings: s.recordings, listError: s.listError, loading: s.loading })),
  );
  const writing = useEngineStore((s) => {
    const parts = s.state?.recording?.parts;
    return parts ? (parts[parts.length - 1] ?? null) : null;
  });
  const [confirming, setConfirming] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Read again when a recording starts, moves on to its next part or ends (here or from the header).
  useEffect(() => {
    void loadRecordings();
  }, [writing]);

  const remove = async (name: string) => {
    setConfirming(null);
    const r = await invoke('recordings.delete', { name });
    setError(r.ok ? null : r.error.message);
    void loadRecordings();
  };

  return (
    <section className="rec-list" data-testid="recordings-list">
      <h3>Recordings {recordings ? <span className="muted">{recordings.length}</span> : null}</h3>
      {listError ? (
        <div className="error" role="alert" data-testid="recordings-list-error">
          {listError}
        </div>
      ) : null}
      {recordings === null ? (
        <p className="muted">{loading ? 'Reading the recordings…' : ''}</p>
      ) : recordings.length === 0 ? (
        <p className="muted rec-empty" data-testid="recordings-empty">
          No recordings yet. Choose the instruments above, keep or change the name, and press Start recording;
          stop it when you have enough market. Recordings replay offline through the same strategy in a
          backtest.
        </p>
      ) : (
        <table className="env-table rec-table" data-testid="recordings-table">
          <thead>
            <tr className="muted">
              <th>Name</th>
              <th>Instruments</th>
              <th>Started (UTC)</th>
              <th className="right">Span</th>
              <th className="right">Events</th>
              <th className="right">Size</th>
              <th>Status</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {recordings.map((r) => (
              <RecordingRow
                key={r.name}
                recording={r}
                writing={r.name === writing}
                confirming={confirming === r.name}
                onAsk={() => {
                  setError(null);
                  setConfirming(r.name);
                }}
                onKeep={() => setConfirming(null)}
                onDelete={() => void remove(r.name)}
              />
            ))}
          </tbody>
        </table>
      )}
      {error ? (
        <div className="error" role="alert" data-testid="recordings-delete-error">
          {error}
        </div>
      ) : null}
    </section>
  );
}

/** The recordings dialog over the workstation: start and stop a recording, list and delete them. */
export function RecordingsDialog() {
  const open = useRecordingsStore((s) => s.open);
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') closeRecordings();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open]);
  if (!open) return null;
  return (
    <div className="overlay" data-testid="recordings-overlay">
      <div
        className="dialog"
        role="dialog"
        aria-modal="true"
        aria-label="Recordings"
        data-testid="recordings-dialog"
      >
        <div className="dialog-head">
          <h2>Market-data recordings</h2>
          <button className="dialog-close" data-testid="recordings-dialog-close" onClick={closeRecordings}>
            Close <kbd>Esc</kbd>
          </button>
        </div>
        <RecordControl />
        <RecordingsList />
      </div>
    </div>
  );
}
