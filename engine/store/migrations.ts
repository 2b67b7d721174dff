/**
 * Forward-only migrations: index i brings schema version i to i + 1. Never edit a released entry;
 * append a new one. Money is TEXT (exact decimal strings); prices and sizes INTEGER ticks and lots.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    mode TEXT NOT NULL,
    venue TEXT NOT NULL,
    symbol TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    ended_at INTEGER
  );
  CREATE TABLE instruments (
    venue TEXT NOT NULL,
    symbol TEXT NOT NULL,
    spec TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (venue, symbol)
  );
  CREATE TABLE orders (
    client_id TEXT PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    venue_order_id TEXT,
    symbol TEXT NOT NULL,
    side TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
    type TEXT NOT NULL,
    tif TEXT NOT NULL,
    price INTEGER,
    size INTEGER NOT NULL CHECK (size > 0),
    filled INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    origin TEXT NOT NULL,
    level INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    reason TEXT
  );
  CREATE INDEX orders_open ON orders(status) WHERE status NOT IN ('filled', 'cancelled', 'rejected', 'expired');
  CREATE TABLE order_events (
    id INTEGER PRIMARY KEY,
    client_id TEXT NOT NULL,
    status TEXT NOT NULL,
    price INTEGER,
    size INTEGER NOT NULL,
    filled INTEGER NOT NULL,
    at INTEGER NOT NULL,
    reason TEXT
  );
  CREATE INDEX order_events_client ON order_events(client_id);
  CREATE TABLE fills (
    id INTEGER PRIMARY KEY,
    venue TEXT NOT NULL,
    exec_id TEXT NOT NULL,
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    client_id TEXT NOT NULL,
    venue_order_id TEXT NOT NULL,
    symbol TEXT NOT NULL,
    side TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
    price INTEGER NOT NULL CHECK (price > 0),
    size INTEGER NOT NULL CHECK (size > 0),
    fee TEXT NOT NULL,
    fee_asset TEXT NOT NULL,
    liquidity TEXT NOT NULL,
    ts INTEGER NOT NULL,
    UNIQUE (venue, exec_id)
  );
  -- No index on ts: it would cost the hot insert path ~40 %, and the one query by time (the last
  -- execution, once at start) can afford a scan.
  CREATE TABLE position_snapshots (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    at INTEGER NOT NULL,
    symbol TEXT NOT NULL,
    lots INTEGER NOT NULL,
    avg_entry TEXT,
    realized TEXT NOT NULL,
    fees TEXT NOT NULL
  );
  CREATE TABLE equity_snapshots (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    at INTEGER NOT NULL,
    equity TEXT NOT NULL,
    mid TEXT
  );
  CREATE TABLE risk_events (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    kind TEXT NOT NULL,
    detail TEXT NOT NULL
  );
  CREATE TABLE kill_switch (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    engaged INTEGER NOT NULL,
    at INTEGER,
    by TEXT
  );
  CREATE TABLE overrides (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    field TEXT NOT NULL,
    value TEXT NOT NULL
  );
  CREATE TABLE alerts (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    severity TEXT NOT NULL,
    code TEXT NOT NULL,
    message TEXT NOT NULL
  );
  CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  CREATE TABLE profiles (
    name TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE recordings (
    id INTEGER PRIMARY KEY,
    venue TEXT NOT NULL,
    symbol TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    ended_at INTEGER,
    instrument TEXT NOT NULL
  );
  -- Market data in compact chunks: kind 0 snapshot, 1 delta, 2 trade; payload packed integers.
  CREATE TABLE recording_chunks (
    recording_id INTEGER NOT NULL REFERENCES recordings(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    first_ts INTEGER NOT NULL,
    last_ts INTEGER NOT NULL,
    payload BLOB NOT NULL,
    PRIMARY KEY (recording_id, seq)
  );
  CREATE TABLE backtest_runs (
    id INTEGER PRIMARY KEY,
    recording_id INTEGER REFERENCES recordings(id),
    started_at INTEGER NOT NULL,
    finished_at INTEGER,
    params TEXT NOT NULL,
    results TEXT
  );
  `,
];
