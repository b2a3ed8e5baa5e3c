import type net from 'node:net';

/**
 * Resolves once `socket` (a test server's end of a connection) has closed,
 * which is how a test sees that the client gave the connection up; rejects
 * with `failure` if that has not happened within `limitMs`. Tests wait on
 * this instead of a fixed time: on a loaded machine a fixed time can pass
 * before the client has read what the server sent.
 */
export function socketClosed(socket: net.Socket, failure: string, limitMs = 5_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const guard = setTimeout(() => reject(new Error(failure)), limitMs);
    socket.once('close', () => {
      clearTimeout(guard);
      resolve();
    });
  });
}
