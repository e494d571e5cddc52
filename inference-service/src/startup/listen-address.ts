/**
 * What a developer reads when the service cannot listen, and the address the start banner
 * prints. A busy port is the usual first-hour problem (a second `npm start`, or another
 * app on 3000): the message says which variable to set instead of showing a stack trace.
 */

/** One line naming the cause and the fix, for `server.on('error')`. */
export function listenErrorMessage(error: NodeJS.ErrnoException, host: string, port: number): string {
  switch (error.code) {
    case 'EADDRINUSE':
      return (
        `port ${port} on ${host} is already in use (is the service already running?): stop the other process, ` +
        `or start on another port with PORT, e.g. PORT=${port === 65_535 ? 3001 : port + 1} npm start`
      );
    case 'EACCES':
      return `not allowed to listen on ${host}:${port}: ports below 1024 need privileges; set PORT to 1024 or above`;
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return (
        `HOST=${host} is not an address of this machine: use 127.0.0.1 (this machine only) ` +
        'or 0.0.0.0 (every network interface)'
      );
    default:
      return `cannot listen on ${host}:${port}: ${error.message}`;
  }
}

/** The URL to print for the address the server listens on ("every interface" is reached through loopback). */
export function localBaseUrl(host: string, port: number): string {
  const reachable =
    host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '[::1]' : host.includes(':') ? `[${host}]` : host;
  return `http://${reachable}:${port}`;
}

/** Whether only this machine can connect (the development default). */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}
