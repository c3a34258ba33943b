// The addresses students open: LAN IPv4 first when the server listens on every address, else the one it listens on.
import type { NetworkInterfaceInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { lanAddresses, listensEverywhere } from '../../../src/server/lan.ts';

const nic = (address: string, family: 'IPv4' | 'IPv6', internal: boolean) =>
  ({ address, family, internal, netmask: '', mac: '', cidr: null }) as unknown as NetworkInterfaceInfo;

const interfaces = {
  lo: [nic('127.0.0.1', 'IPv4', true), nic('::1', 'IPv6', true)],
  eth0: [nic('fe80::1', 'IPv6', false), nic('192.168.1.23', 'IPv4', false)],
  wlan0: [nic('10.0.0.5', 'IPv4', false)],
};

describe('lanAddresses', () => {
  it('lists the non-internal IPv4 addresses first, then the internal ones, no IPv6', () => {
    expect(lanAddresses('0.0.0.0', 8080, interfaces)).toEqual([
      'http://192.168.1.23:8080',
      'http://10.0.0.5:8080',
      'http://127.0.0.1:8080',
    ]);
    expect(lanAddresses('::', 80, interfaces)[0]).toBe('http://192.168.1.23:80');
  });

  it('gives the one address a server listens on, and 127.0.0.1 when the machine has no IPv4', () => {
    expect(lanAddresses('127.0.0.1', 8080, interfaces)).toEqual(['http://127.0.0.1:8080']);
    expect(lanAddresses('192.168.1.23', 9000, interfaces)).toEqual(['http://192.168.1.23:9000']);
    expect(lanAddresses('localhost', 9000, interfaces)).toEqual(['http://127.0.0.1:9000']);
    expect(lanAddresses('0.0.0.0', 8080, { eth0: [nic('fe80::1', 'IPv6', false)] })).toEqual(['http://127.0.0.1:8080']);
  });

  it('knows which hosts listen everywhere', () => {
    expect(['0.0.0.0', '::', '127.0.0.1'].map(listensEverywhere)).toEqual([true, true, false]);
  });
});
