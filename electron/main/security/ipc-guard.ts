import { isAppUrl } from './navigation.ts';

export interface SenderInfo {
  /** URL of the frame that sent the message, if Electron still knows it. */
  frameUrl: string | undefined;
  /** The frame is the top frame of our one window's webContents. */
  isMainFrame: boolean;
  /** The webContents is the app window we created. */
  isAppWindow: boolean;
}

/** Only the top frame of our own window, showing our own page, may talk to the engine. */
export function isTrustedSender(sender: SenderInfo): boolean {
  return (
    sender.isAppWindow && sender.isMainFrame && sender.frameUrl !== undefined && isAppUrl(sender.frameUrl)
  );
}

/** The shape of an `engine:invoke` message; its input is validated by the engine against the contract. */
export function parseInvoke(payload: unknown): { command: string; input: unknown } | undefined {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return undefined;
  const { command, input } = payload as Record<string, unknown>;
  if (typeof command !== 'string' || command.length === 0 || command.length > 64) return undefined;
  const keys = Object.keys(payload);
  if (keys.some((k) => k !== 'command' && k !== 'input')) return undefined;
  return { command, input };
}
