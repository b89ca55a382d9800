/** Absolute URLs on the function's own domain, as a WhatsApp user or Twilio will fetch them. */

const LOCAL_DOMAIN = /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/;

/** PUBLIC_BASE_URL when set (a tunnel or custom domain), else https://DOMAIN_NAME (http:// locally). */
export function publicOrigin(domainName: string, publicBaseUrl?: string): string {
  if (publicBaseUrl) return publicBaseUrl.replace(/\/+$/, '');
  return `${LOCAL_DOMAIN.test(domainName) ? 'http' : 'https'}://${domainName}`;
}

export const isLocalDomain = (domainName: string): boolean => LOCAL_DOMAIN.test(domainName);
