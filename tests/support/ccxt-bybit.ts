/** ccxt's bybit URLs, REST and WebSocket, pointed at the simulator. */
export function ccxtUrls(sim: { rest: string; ws: string }): Record<string, unknown> {
  const ws = (path: string): string => `${sim.ws}${path}`;
  return {
    api: {
      public: sim.rest,
      private: sim.rest,
      spot: sim.rest,
      futures: sim.rest,
      v2: sim.rest,
      ws: {
        public: {
          spot: ws('/v5/public/spot'),
          linear: ws('/v5/public/linear'),
          inverse: ws('/v5/public/inverse'),
          option: ws('/v5/public/option'),
        },
        private: {
          spot: { unified: ws('/v5/private'), nonUnified: ws('/v5/private') },
          contract: ws('/v5/private'),
          usdc: ws('/v5/private'),
          trade: ws('/v5/trade'),
        },
      },
    },
  };
}
