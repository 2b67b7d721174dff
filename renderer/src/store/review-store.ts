import { create } from 'zustand';
import type {
  CommandInput,
  DecisionView,
  EngineState,
  JobView,
  ReviewRecording,
  Response,
  ReviewState,
  RunDetail,
  RunView,
} from '../../../engine/api/contract.ts';
import { useEngineStore } from './engine-store.ts';

/**
 * The backtest review: which screen is shown (the live workstation or the review), the review's page,
 * and what the engine last answered (`review.*` commands). UI state and answers only; the jobs
 * running come with every snapshot (`state.review.jobs`). An engine error from any command lands in
 * `error` and leaves what was listed as it was.
 */
export type ReviewPage =
  | { kind: 'runs' }
  | { kind: 'run'; id: number }
  | { kind: 'compare'; ids: number[] }
  | { kind: 'sweep'; sweep: string };

export interface DetailEntry {
  status: 'loading' | 'ready' | 'error';
  detail: RunDetail | null;
  error: string | null;
}

/** A decision asked for and its answer; `context` says what was clicked ("fill 12 · buy 65000.1"). */
export interface DecisionSlot {
  status: 'idle' | 'loading' | 'ready' | 'none' | 'error';
  value: DecisionView | null;
  error: string | null;
  context: string;
}

export interface ReviewStore {
  view: 'trade' | 'review';
  page: ReviewPage;
  runs: RunView[] | null;
  runsLoading: boolean;
  recordings: ReviewRecording[] | null;
  /** Ticked runs of the table, by id. */
  selected: number[];
  /** The last engine refusal, in its words. */
  error: string | null;
  /** Loaded run pages, by run id (a few kept, for going back and for compare). */
  details: Record<number, DetailEntry>;
  /** The fill selected on the run page (an index into its fill columns), or null. */
  selectedFill: number | null;
  runDecision: DecisionSlot;
  liveDecision: DecisionSlot;
}

const IDLE: DecisionSlot = { status: 'idle', value: null, error: null, context: '' };

export const useReviewStore = create<ReviewStore>(() => ({
  view: 'trade',
  page: { kind: 'runs' },
  runs: null,
  runsLoading: false,
  recordings: null,
  selected: [],
  error: null,
  details: {},
  selectedFill: null,
  runDecision: IDLE,
  liveDecision: IDLE,
}));

const EMPTY_JOBS: readonly JobView[] = [];

/** The jobs of a snapshot (none before the first one, or from an engine without the review). */
export function jobsOf(state: EngineState | null): readonly JobView[] {
  // An engine from before the review sends no `review`: no jobs, not an exception.
  const review: Partial<ReviewState> | undefined = state?.review;
  return review?.jobs ?? EMPTY_JOBS;
}

function invoke() {
  return useEngineStore.getState().invoke;
}

function fail(message: string): void {
  useReviewStore.setState({ error: message });
}

export function clearReviewError(): void {
  useReviewStore.setState({ error: null });
}

/**
 * Shows a screen. The review comes back on the page it was left on; choosing it again while it is
 * shown goes back to its runs list (as a tab bar's home).
 */
export function setView(view: ReviewStore['view']): void {
  const s = useReviewStore.getState();
  if (view === 'review' && s.view === 'review') openPage({ kind: 'runs' });
  else useReviewStore.setState({ view });
}

export function openPage(page: ReviewPage): void {
  const s = useReviewStore.getState();
  const sameRun = s.page.kind === 'run' && page.kind === 'run' && s.page.id === page.id;
  useReviewStore.setState({
    page,
    view: 'review',
    ...(sameRun ? {} : { selectedFill: null, runDecision: IDLE }),
  });
}

export function openRun(id: number): void {
  openPage({ kind: 'run', id });
}

// ---------------------------------------------------------------------------------------------------
// Lists

let runsTicket = 0;

/** Reads `review.runs` again; an older answer never overwrites a newer one; a refusal keeps the list. */
export async function loadRuns(): Promise<void> {
  const ticket = ++runsTicket;
  useReviewStore.setState({ runsLoading: true });
  const r = await invoke()('review.runs', {});
  if (ticket !== runsTicket) return;
  if (r.ok) {
    const ids = new Set(r.value.runs.map((x) => x.id));
    useReviewStore.setState((s) => ({
      runs: r.value.runs,
      runsLoading: false,
      selected: s.selected.filter((id) => ids.has(id)),
    }));
  } else {
    useReviewStore.setState({ runsLoading: false });
    fail(r.error.message);
  }
}

let recordingsTicket = 0;

export async function loadReviewRecordings(): Promise<void> {
  const ticket = ++recordingsTicket;
  const r = await invoke()('review.recordings', {});
  if (ticket !== recordingsTicket) return;
  if (r.ok) useReviewStore.setState({ recordings: r.value.recordings });
  else fail(r.error.message);
}

export function toggleSelected(id: number, on: boolean): void {
  useReviewStore.setState((s) => ({
    selected: on
      ? s.selected.includes(id)
        ? s.selected
        : [...s.selected, id]
      : s.selected.filter((x) => x !== id),
  }));
}

export function setSelected(ids: number[]): void {
  useReviewStore.setState({ selected: ids });
}

export async function deleteRuns(ids: number[]): Promise<boolean> {
  if (ids.length === 0) return false;
  clearReviewError();
  const r = await invoke()('review.delete', { ids });
  if (!r.ok) {
    fail(r.error.message);
    return false;
  }
  const gone = new Set(ids);
  useReviewStore.setState((s) => {
    const details = Object.fromEntries(
      Object.entries(s.details).filter(([id]) => !gone.has(Number(id))),
    ) as Record<number, DetailEntry>;
    return {
      runs: s.runs?.filter((x) => !gone.has(x.id)) ?? null,
      selected: s.selected.filter((x) => !gone.has(x)),
      details,
    };
  });
  void loadRuns();
  return true;
}

// ---------------------------------------------------------------------------------------------------
// A run's page

const MAX_DETAILS = 4;
const inFlight = new Set<number>();

/** Loads `review.run` unless it is loaded or loading; keeps the last few pages. */
export async function loadDetail(id: number, again = false): Promise<void> {
  const have = useReviewStore.getState().details[id];
  if (inFlight.has(id) || (!again && have && have.status !== 'error')) return;
  inFlight.add(id);
  useReviewStore.setState((s) => ({
    details: { ...s.details, [id]: { status: 'loading', detail: null, error: null } },
  }));
  const r = await invoke()('review.run', { id });
  inFlight.delete(id);
  useReviewStore.setState((s) => {
    const entry: DetailEntry = r.ok
      ? { status: 'ready', detail: r.value, error: null }
      : { status: 'error', detail: null, error: r.error.message };
    const details: Record<number, DetailEntry> = { ...s.details, [id]: entry };
    // Keep the page shown and the compared runs; drop the oldest others past the limit.
    const keep = new Set<number>(
      s.page.kind === 'run' ? [s.page.id] : s.page.kind === 'compare' ? s.page.ids : [],
    );
    keep.add(id);
    const ids = Object.keys(details).map(Number);
    let extra = ids.length - MAX_DETAILS;
    const dropped = new Set<number>();
    for (const k of ids) {
      if (extra <= 0) break;
      if (keep.has(k)) continue;
      dropped.add(k);
      extra--;
    }
    if (dropped.size === 0) return { details };
    return {
      details: Object.fromEntries(Object.entries(details).filter(([k]) => !dropped.has(Number(k)))),
    };
  });
  if (!r.ok) fail(r.error.message);
}

export function selectFill(index: number | null): void {
  useReviewStore.setState({ selectedFill: index });
}

export async function exportRun(id: number): Promise<{ fills: string; equity: string; name: string } | null> {
  clearReviewError();
  const r = await invoke()('review.export', { id });
  if (r.ok) return r.value;
  fail(r.error.message);
  return null;
}

// ---------------------------------------------------------------------------------------------------
// Decisions

let decisionTicket = 0;

type Slot = 'runDecision' | 'liveDecision';

async function askDecision(
  slot: Slot,
  context: string,
  ask: () => Promise<Response<DecisionView | null>>,
): Promise<void> {
  const ticket = ++decisionTicket;
  useReviewStore.setState({ [slot]: { status: 'loading', value: null, error: null, context } });
  const r = await ask();
  if (ticket !== decisionTicket) return;
  const next: DecisionSlot = r.ok
    ? { status: r.value ? 'ready' : 'none', value: r.value, error: null, context }
    : { status: 'error', value: null, error: r.error.message, context };
  useReviewStore.setState({ [slot]: next });
}

/** The decision behind a run's fill (its `decision` seq) or in force at a moment (a quote-line click). */
export function askRunDecision(input: CommandInput<'review.decision'>, context: string): Promise<void> {
  return askDecision('runDecision', context, () => invoke()('review.decision', input));
}

/** Live: the decision that last priced one of our orders, from the session's journal. */
export function askLiveDecision(clientId: string, symbol: string | null, context: string): Promise<void> {
  return askDecision('liveDecision', context, () =>
    invoke()('journal.decision', symbol ? { clientId, symbol } : { clientId }),
  );
}

/** A fill the model did not price (manual, flatten): nothing in the journal to ask for. */
export function noDecision(context: string, why: string): void {
  ++decisionTicket;
  useReviewStore.setState({ runDecision: { status: 'none', value: null, error: why, context } });
}

export function closeDecision(slot: Slot): void {
  ++decisionTicket;
  useReviewStore.setState({ [slot]: IDLE });
}

// ---------------------------------------------------------------------------------------------------
// Jobs

type RunSettings = CommandInput<'review.start'>;

/** Jobs this screen started: when one of them stores a run, its page opens. */
const ours = new Set<string>();
const seenRunning = new Set<string>();
const handled = new Set<string>();
const sweepDone = new Map<string, number>();
let primed = false;
let refreshTimer: ReturnType<typeof setTimeout> | null = null;

function refreshSoon(delayMs: number): void {
  if (refreshTimer !== null) return;
  refreshTimer = setTimeout(() => {
    refreshTimer = null;
    void loadRuns();
  }, delayMs);
}

function finishedRun(job: JobView): number | null {
  return job.kind === 'backtest' && job.status === 'done' && job.runId !== null ? job.runId : null;
}

/**
 * Follows the snapshot's jobs: a job that finishes refreshes the runs list (a sweep's runs also as its
 * points finish, every few seconds), and a backtest started here opens its run when it is stored.
 * Jobs that had finished before the screen first looked are left alone.
 */
export function observeJobs(jobs: readonly JobView[]): void {
  let refresh = false;
  let open: number | null = null;
  for (const j of jobs) {
    if (j.status === 'running') {
      seenRunning.add(j.id);
      if (j.kind === 'sweep' && j.done > (sweepDone.get(j.id) ?? 0)) {
        sweepDone.set(j.id, j.done);
        refreshSoon(2000);
      }
      continue;
    }
    if (handled.has(j.id)) continue;
    handled.add(j.id);
    if (!primed && !ours.has(j.id) && !seenRunning.has(j.id)) continue;
    refresh = true;
    const run = finishedRun(j);
    if (run !== null && ours.has(j.id)) open = run;
  }
  primed = true;
  if (refresh) {
    if (refreshTimer !== null) clearTimeout(refreshTimer);
    refreshTimer = null;
    void loadRuns();
  }
  if (open !== null && useReviewStore.getState().view === 'review') openRun(open);
}

/** A job this screen started; it may have finished before its answer came. */
function noteStarted(job: string): void {
  ours.add(job);
  const j = jobsOf(useEngineStore.getState().state).find((x) => x.id === job);
  if (!j || !handled.has(job)) return;
  const run = finishedRun(j);
  if (run !== null && useReviewStore.getState().view === 'review') openRun(run);
}

export async function startBacktest(settings: RunSettings): Promise<boolean> {
  clearReviewError();
  const r = await invoke()('review.start', settings);
  if (!r.ok) {
    fail(r.error.message);
    return false;
  }
  noteStarted(r.value.job);
  return true;
}

export async function startSweep(settings: CommandInput<'review.sweep'>): Promise<boolean> {
  clearReviewError();
  const r = await invoke()('review.sweep', settings);
  if (!r.ok) {
    fail(r.error.message);
    return false;
  }
  ours.add(r.value.job);
  return true;
}

export async function cancelJob(job: string): Promise<void> {
  clearReviewError();
  const r = await invoke()('review.cancel', { job });
  if (!r.ok) fail(r.error.message);
}
