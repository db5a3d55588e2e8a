/**
 * Trusted proxies. `X-Forwarded-For`, `-Proto` and `-Host` are set by whoever sends the request,
 * so they are believed only when the TCP peer is a configured proxy; from anyone else they are
 * ignored, and the socket address, the socket's TLS state and the Host header are used.
 *
 * @module
 */
import { BlockList, isIP } from 'node:net';
import { ConfigError } from '../errors.js';

/** Decides whether a peer address is a trusted proxy. */
export type ProxyTrust = (address: string) => boolean;

const NEVER: ProxyTrust = () => false;

/** Strips the IPv4-mapped IPv6 prefix so `::ffff:10.0.0.1` matches `10.0.0.1`. */
export function normalizeAddress(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

/**
 * Compiles `TRUSTED_PROXIES` entries (addresses, CIDRs, or `loopback`/`private`) into a check.
 * Throws `ConfigError` at startup for an entry that is not an address.
 *
 * @example
 * const trust = compileTrust(['10.0.0.0/8', 'loopback'])
 * trust('10.1.2.3') // true
 */
export function compileTrust(entries: readonly string[]): ProxyTrust {
  if (entries.length === 0) return NEVER;
  const list = new BlockList();
  for (const raw of entries) {
    const entry = raw.trim().toLowerCase();
    if (entry === 'loopback') {
      list.addSubnet('127.0.0.0', 8, 'ipv4');
      list.addAddress('::1', 'ipv6');
      continue;
    }
    if (entry === 'private') {
      list.addSubnet('10.0.0.0', 8, 'ipv4');
      list.addSubnet('172.16.0.0', 12, 'ipv4');
      list.addSubnet('192.168.0.0', 16, 'ipv4');
      list.addSubnet('fc00::', 7, 'ipv6');
      continue;
    }
    const slash = entry.indexOf('/');
    const addr = slash === -1 ? entry : entry.slice(0, slash);
    const family = isIP(addr);
    const prefixText = slash === -1 ? '' : entry.slice(slash + 1);
    // Digits only: Number('') is 0, and '10.0.0.0/' must not silently trust every address.
    const prefix = /^[0-9]{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
    const maxPrefix = family === 4 ? 32 : 128;
    if (family === 0 || (slash !== -1 && (!Number.isInteger(prefix) || prefix < 0 || prefix > maxPrefix))) {
      throw new ConfigError('E_CONFIG_INVALID', `TRUSTED_PROXIES entry '${raw}' is not an IP address or CIDR range.`, {
        hint: 'Use addresses or CIDRs such as 10.0.0.1, 10.0.0.0/8, ::1, or the names loopback and private.',
      });
    }
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (slash === -1) list.addAddress(addr, type);
    else list.addSubnet(addr, prefix, type);
  }
  return (address) => {
    const a = normalizeAddress(address);
    const family = isIP(a);
    return family !== 0 && list.check(a, family === 4 ? 'ipv4' : 'ipv6');
  };
}

/** Last comma-separated element of a header (the one our own proxy appended). */
export function lastListValue(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  const v = Array.isArray(value) ? value.join(',') : value;
  const i = v.lastIndexOf(',');
  const last = (i === -1 ? v : v.slice(i + 1)).trim();
  return last === '' ? undefined : last;
}

/**
 * The client address: walk `X-Forwarded-For` from the right, skipping trusted proxies, and take
 * the first address that is not one. Entries further left were written by the client and are
 * never believed.
 */
export function clientAddress(peer: string, forwardedFor: string | string[] | undefined, trust: ProxyTrust): string {
  let addr = normalizeAddress(peer);
  if (forwardedFor === undefined || !trust(addr)) return addr;
  const list = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor).split(',');
  for (let i = list.length - 1; i >= 0; i--) {
    const candidate = normalizeAddress(list[i]!.trim());
    if (isIP(candidate) === 0) return addr; // garbage: stop at the last address we could verify
    addr = candidate;
    if (!trust(candidate)) return candidate;
  }
  return addr;
}
