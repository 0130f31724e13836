// The reconnect test's WebSocket server comes from `ws` (a devDependency, also what
// @polkadot/x-ws uses), which ships no types; only what the test uses is declared.
declare module 'ws' {
  export class WebSocket {
    terminate(): void;
    on(event: 'error', listener: (err: Error) => void): this;
  }
  export class WebSocketServer {
    constructor(options: { host?: string; port?: number });
    readonly clients: Set<WebSocket>;
    address(): import('node:net').AddressInfo;
    close(callback?: (err?: Error) => void): void;
    on(event: 'connection', listener: (socket: WebSocket) => void): this;
    once(event: 'listening', listener: () => void): this;
    once(event: 'error', listener: (err: Error) => void): this;
  }
}
