/**
 * MEXC spot's endpoints (exchange-apis.md B1): REST under /api/v3 on api.mexc.com, and one WebSocket
 * host for market data and (with `?listenKey=`) user data. There is no public testnet.
 */
export const MEXC_URLS = {
  rest: 'https://api.mexc.com',
  ws: 'wss://wbs-api.mexc.com/ws',
} as const;
