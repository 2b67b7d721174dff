import ccxt from 'ccxt';

/** ccxt's mexc URLs, REST and WebSocket, pointed at the simulator. */
export function ccxtMexcUrls(sim: { rest: string; ws: string }): Record<string, unknown> {
  return {
    api: {
      spot: { public: sim.rest, private: sim.rest },
      spot2: { public: `${sim.rest}/open/api/v2`, private: `${sim.rest}/open/api/v2` },
      contract: { public: `${sim.rest}/api/v1/contract`, private: `${sim.rest}/api/v1/private` },
      broker: { private: `${sim.rest}/api/v3/broker` },
      ws: { spot: sim.ws, swap: sim.ws },
    },
  };
}

/**
 * ccxt's loadMarkets asks for the futures contracts too (contract.mexc.com, a different API the
 * simulator does not serve, B1): the instance lists none, so only spot markets load.
 */
function spotOnly<T extends { fetchSwapMarkets: (params?: object) => Promise<unknown[]> }>(exchange: T): T {
  exchange.fetchSwapMarkets = () => Promise.resolve([]);
  return exchange;
}

export function ccxtMexc(
  sim: { rest: string; ws: string },
  apiKey?: string,
  secret?: string,
): InstanceType<typeof ccxt.mexc> {
  return spotOnly(
    new ccxt.mexc({ ...(apiKey === undefined ? {} : { apiKey, secret }), urls: ccxtMexcUrls(sim) }),
  );
}

export function ccxtProMexc(
  sim: { rest: string; ws: string },
  options: Record<string, unknown> = {},
): InstanceType<typeof ccxt.pro.mexc> {
  return spotOnly(new ccxt.pro.mexc({ urls: ccxtMexcUrls(sim), options }));
}
