// The addresses students open: on a server listening on every address (--host 0.0.0.0 or ::), the machine's own
// IPv4 addresses from its network interfaces, those other machines can reach (not internal) first; on a server
// listening on one address, that address. main.ts prints them and the instructor page shows them (GET
// /api/server/addresses).
import { type NetworkInterfaceInfo, networkInterfaces } from 'node:os';

/** Whether a host listens on every address of the machine. */
export function listensEverywhere(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]';
}

/** A URL's host part for an address (IPv6 in brackets). */
function urlHost(address: string): string {
  return address.includes(':') && !address.startsWith('[') ? `[${address}]` : address;
}

/**
 * The base URLs (http://address:port) students can open, best first: IPv4 reachable from the LAN, then internal
 * (127.0.0.1). `interfaces` is os.networkInterfaces() (tests pass their own).
 */
export function lanAddresses(
  host: string,
  port: number,
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces(),
): string[] {
  if (!listensEverywhere(host)) return [`http://${urlHost(host === 'localhost' ? '127.0.0.1' : host)}:${port}`];
  const all = Object.values(interfaces).flatMap((list) => list ?? []);
  const v4 = all.filter((i) => i.family === 'IPv4');
  const ordered = [...v4.filter((i) => !i.internal), ...v4.filter((i) => i.internal)];
  const seen = new Set<string>();
  const out: string[] = [];
  for (const i of ordered)
    if (!seen.has(i.address)) {
      seen.add(i.address);
      out.push(`http://${i.address}:${port}`);
    }
  return out.length > 0 ? out : [`http://127.0.0.1:${port}`];
}
