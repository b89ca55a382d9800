/** What of a user's identity may reach a log line: never a whole phone number. */

/** Keeps the last 4 digits of an address: enough to tell users apart in logs without storing numbers. */
export function maskAddress(address: string | undefined): string | undefined {
  if (!address) return undefined;
  const digits = address.replace(/\D/g, '');
  return digits.length <= 4 ? '****' : `${address.startsWith('whatsapp:') ? 'whatsapp:' : ''}+…${digits.slice(-4)}`;
}
