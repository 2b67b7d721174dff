/**
 * Forward-only migrations: index i brings schema version i to i + 1. Never edit a released entry;
 * append a new one. Money is TEXT (exact decimal strings); prices and sizes INTEGER ticks and lots.
 * All entries run in one transaction (database.ts), so a failure leaves the file as it was.
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
  // 2: every journal row names its venue and its session, and orders are keyed per venue.
  //
  // A session now trades several instruments: sessions.symbol keeps its name and holds the
  // comma-separated list of the session's symbols (symbols never contain a comma, see
  // defineInstrument); a v1 row's single symbol is a one-item list, so it needs no rewrite.
  //
  // How v1 rows are filled (v1 wrote only orders, fills and equity rows with a session id):
  // - venue: the venue of the row's session; for a row whose session cannot be found, the venue all
  //   sessions share, or 'sim' (the only venue v1 traded) when there is none or several.
  // - session_id: order_events take their order's session; alerts, overrides and risk_events, which
  //   had none, take the latest session that started at or before them (a row written between two
  //   sessions goes to the earlier one), or NULL when no session started before them.
  // - symbol: overrides take their session's symbol (v1 overrides were the one instrument's);
  //   alerts, risk_events and equity_snapshots get NULL, the account: v1 could not say which of them
  //   were about the instrument, and its equity sample was the whole account's.
  //
  // SQLite cannot change a primary key or add a NOT NULL column without a default in place, so each
  // changed table is rebuilt (new table, copy with the same ids, drop, rename). No table references
  // these, so the rebuild is safe with foreign keys on (each copied row's session is checked on insert).
  `
  CREATE TABLE orders_v2 (
    venue TEXT NOT NULL,
    client_id TEXT NOT NULL,
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
    reason TEXT,
    -- Client ids are unique per session prefix, not across venues: two venues' ids may collide.
    PRIMARY KEY (venue, client_id)
  );
  INSERT INTO orders_v2 (venue, client_id, session_id, venue_order_id, symbol, side, type, tif, price, size,
      filled, status, origin, level, created_at, updated_at, reason)
    SELECT COALESCE(s.venue, (SELECT CASE WHEN COUNT(DISTINCT venue) = 1 THEN MIN(venue) ELSE 'sim' END FROM sessions)),
      o.client_id, o.session_id, o.venue_order_id, o.symbol, o.side, o.type, o.tif, o.price, o.size,
      o.filled, o.status, o.origin, o.level, o.created_at, o.updated_at, o.reason
    FROM orders o LEFT JOIN sessions s ON s.id = o.session_id;

  CREATE TABLE order_events_v2 (
    id INTEGER PRIMARY KEY,
    venue TEXT NOT NULL,
    session_id INTEGER REFERENCES sessions(id),
    client_id TEXT NOT NULL,
    status TEXT NOT NULL,
    price INTEGER,
    size INTEGER NOT NULL,
    filled INTEGER NOT NULL,
    at INTEGER NOT NULL,
    reason TEXT
  );
  -- v1 client ids were unique in the file (the orders primary key), so the join finds one order.
  INSERT INTO order_events_v2 (id, venue, session_id, client_id, status, price, size, filled, at, reason)
    SELECT e.id,
      COALESCE(o.venue,
        (SELECT s.venue FROM sessions s WHERE s.started_at <= e.at ORDER BY s.started_at DESC, s.id DESC LIMIT 1),
        (SELECT CASE WHEN COUNT(DISTINCT venue) = 1 THEN MIN(venue) ELSE 'sim' END FROM sessions)),
      COALESCE(o.session_id,
        (SELECT s.id FROM sessions s WHERE s.started_at <= e.at ORDER BY s.started_at DESC, s.id DESC LIMIT 1)),
      e.client_id, e.status, e.price, e.size, e.filled, e.at, e.reason
    FROM order_events e LEFT JOIN orders_v2 o ON o.client_id = e.client_id;
  DROP TABLE order_events;
  ALTER TABLE order_events_v2 RENAME TO order_events;
  CREATE INDEX order_events_client ON order_events(venue, client_id);

  DROP TABLE orders;
  ALTER TABLE orders_v2 RENAME TO orders;
  CREATE INDEX orders_open ON orders(venue, symbol) WHERE status NOT IN ('filled', 'cancelled', 'rejected', 'expired');

  CREATE TABLE alerts_v2 (
    id INTEGER PRIMARY KEY,
    venue TEXT NOT NULL,
    session_id INTEGER REFERENCES sessions(id),
    symbol TEXT,
    at INTEGER NOT NULL,
    severity TEXT NOT NULL,
    code TEXT NOT NULL,
    message TEXT NOT NULL
  );
  INSERT INTO alerts_v2 (id, venue, session_id, symbol, at, severity, code, message)
    SELECT a.id,
      COALESCE(s.venue, (SELECT CASE WHEN COUNT(DISTINCT venue) = 1 THEN MIN(venue) ELSE 'sim' END FROM sessions)),
      s.id, NULL, a.at, a.severity, a.code, a.message
    FROM alerts a LEFT JOIN sessions s ON s.id =
      (SELECT x.id FROM sessions x WHERE x.started_at <= a.at ORDER BY x.started_at DESC, x.id DESC LIMIT 1);
  DROP TABLE alerts;
  ALTER TABLE alerts_v2 RENAME TO alerts;

  CREATE TABLE overrides_v2 (
    id INTEGER PRIMARY KEY,
    venue TEXT NOT NULL,
    session_id INTEGER REFERENCES sessions(id),
    symbol TEXT,
    at INTEGER NOT NULL,
    field TEXT NOT NULL,
    value TEXT NOT NULL
  );
  INSERT INTO overrides_v2 (id, venue, session_id, symbol, at, field, value)
    SELECT v.id,
      COALESCE(s.venue, (SELECT CASE WHEN COUNT(DISTINCT venue) = 1 THEN MIN(venue) ELSE 'sim' END FROM sessions)),
      s.id, s.symbol, v.at, v.field, v.value
    FROM overrides v LEFT JOIN sessions s ON s.id =
      (SELECT x.id FROM sessions x WHERE x.started_at <= v.at ORDER BY x.started_at DESC, x.id DESC LIMIT 1);
  DROP TABLE overrides;
  ALTER TABLE overrides_v2 RENAME TO overrides;

  CREATE TABLE risk_events_v2 (
    id INTEGER PRIMARY KEY,
    venue TEXT NOT NULL,
    session_id INTEGER REFERENCES sessions(id),
    symbol TEXT,
    at INTEGER NOT NULL,
    kind TEXT NOT NULL,
    detail TEXT NOT NULL
  );
  INSERT INTO risk_events_v2 (id, venue, session_id, symbol, at, kind, detail)
    SELECT r.id,
      COALESCE(s.venue, (SELECT CASE WHEN COUNT(DISTINCT venue) = 1 THEN MIN(venue) ELSE 'sim' END FROM sessions)),
      s.id, NULL, r.at, r.kind, r.detail
    FROM risk_events r LEFT JOIN sessions s ON s.id =
      (SELECT x.id FROM sessions x WHERE x.started_at <= r.at ORDER BY x.started_at DESC, x.id DESC LIMIT 1);
  DROP TABLE risk_events;
  ALTER TABLE risk_events_v2 RENAME TO risk_events;

  CREATE TABLE equity_snapshots_v2 (
    id INTEGER PRIMARY KEY,
    venue TEXT NOT NULL,
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    -- NULL: the whole account's equity; a symbol: that instrument's book of trades.
    symbol TEXT,
    at INTEGER NOT NULL,
    equity TEXT NOT NULL,
    mid TEXT
  );
  INSERT INTO equity_snapshots_v2 (id, venue, session_id, symbol, at, equity, mid)
    SELECT q.id,
      COALESCE(s.venue, (SELECT CASE WHEN COUNT(DISTINCT venue) = 1 THEN MIN(venue) ELSE 'sim' END FROM sessions)),
      q.session_id, NULL, q.at, q.equity, q.mid
    FROM equity_snapshots q LEFT JOIN sessions s ON s.id = q.session_id;
  DROP TABLE equity_snapshots;
  ALTER TABLE equity_snapshots_v2 RENAME TO equity_snapshots;
  `,
  // 3: the decision journal. An order keeps the quote decision that last priced it, and a fill the
  // one that priced its order when it filled (an order may be repriced after a partial fill); decisions are
  // kept while live, sampled and on change (the journal decides which), bounded by pruning the oldest.
  `
  ALTER TABLE orders ADD COLUMN decision INTEGER;
  ALTER TABLE fills ADD COLUMN decision INTEGER;
  CREATE TABLE decisions (
    venue TEXT NOT NULL,
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    symbol TEXT NOT NULL,
    seq INTEGER NOT NULL,
    at INTEGER NOT NULL,
    s REAL, sigma REAL, q REAL, gamma REAL, kappa REAL, A REAL, tau REAL,
    reservation REAL, bid_distance REAL, ask_distance REAL,
    bid_ticks INTEGER, ask_ticks INTEGER, bid_lots INTEGER, ask_lots INTEGER,
    bid_withheld TEXT, ask_withheld TEXT,
    state TEXT NOT NULL, feed TEXT NOT NULL, overrides TEXT, refusal TEXT,
    sent INTEGER NOT NULL, warnings TEXT,
    PRIMARY KEY (venue, session_id, symbol, seq)
  ) WITHOUT ROWID;
  CREATE INDEX decisions_at ON decisions(at);
  `,
];
