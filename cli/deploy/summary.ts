/**
 * After a deploy: twilio-run's JSON result (`--output-format json`), read with zod, and what to paste
 * where: the three webhook URLs for the sandbox or a sender's configuration, and the page's URL.
 */
import * as z from '../../lib/zod';
import { WEBHOOK_ROUTES } from './checks';

const resource = z.object({ access: z.string(), path: z.string(), url: z.string() });

/** What `twilio-run deploy --output-format json` prints on stdout (printers/deploy.js). */
export const deployOutputSchema = z.looseObject({
  domain: z.string().check(z.regex(/^[a-z0-9.-]+(:\d+)?$/i, 'must be a host name')),
  serviceName: z.optional(z.string()),
  serviceSid: z.string(),
  environmentSuffix: z.optional(z.nullable(z.string())),
  environmentSid: z.string(),
  buildSid: z.string(),
  runtime: z.optional(z.nullable(z.string())),
  functions: z.array(resource),
  assets: z.array(resource),
});
export type DeployOutput = z.infer<typeof deployOutputSchema>;

export type WebhookUrls = { incoming: string; status: string; fallback: string; page: string };

/** The URLs to configure, on the deployed domain. */
export function webhookUrls(domain: string): WebhookUrls {
  const origin = `https://${domain}`;
  return {
    incoming: origin + WEBHOOK_ROUTES.incoming,
    status: origin + WEBHOOK_ROUTES.status,
    fallback: origin + WEBHOOK_ROUTES.fallback,
    page: `${origin}/index.html`,
  };
}

/** Reads twilio-run's JSON output; throws a zod error naming each missing field. */
export function parseDeployOutput(stdout: string): DeployOutput {
  return deployOutputSchema.parse(JSON.parse(stdout));
}

/** The human summary printed after a deploy. */
export function formatSummary(output: DeployOutput): string {
  const urls = webhookUrls(output.domain);
  const environment = output.environmentSuffix
    ? `environment "${output.environmentSuffix}"`
    : 'the production environment';
  const hasPage = output.assets.some((a) => a.path === '/index.html');
  const lines = [
    `Deployed ${output.serviceName ?? output.serviceSid} (${output.serviceSid}) to ${environment}: https://${output.domain}`,
    `Build ${output.buildSid}, runtime ${output.runtime ?? 'default'}; ${output.functions.length} functions, ${output.assets.length} assets.`,
    '',
    'Functions:',
    ...output.functions.map((f) => `  [${f.access}] ${f.url}`),
    '',
    'Paste these into the WhatsApp Sandbox settings (Console > Messaging > Try it out > Send a WhatsApp message >',
    "Sandbox settings) or your WhatsApp sender's configuration, each with method POST:",
    `  When a message comes in:  ${urls.incoming}`,
    `  Status callback URL:      ${urls.status}`,
    `  Fallback URL:             ${urls.fallback}`,
    '',
    hasPage ? `The page: ${urls.page}` : 'No index.html was deployed: there is no page at this domain.',
  ];
  return lines.join('\n');
}
