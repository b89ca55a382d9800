/**
 * A fake of Twilio's Serverless API (v1) for deploy tests: stateful enough for the real
 * `deployLocalProject` of @twilio-labs/serverless-api (run by `twilio-run deploy`) to complete, strict
 * enough to fail a client that sends something Twilio would not accept, and recording every call.
 *
 * How the real client reaches it, without patching anything: the client sends every request to
 * https://serverless.twilio.com/v1 and uploads to https://serverless-upload.twilio.com/v1, through an
 * HTTPS proxy agent when HTTP_PROXY is set (its client.js). So this starts, on 127.0.0.1 only:
 *  - an HTTP proxy that tunnels CONNECT for exactly those two hosts (anything else is refused and
 *    recorded), to
 *  - an HTTPS server holding a throw-away self-signed certificate for those names (made with openssl),
 *    which the client trusts through NODE_EXTRA_CA_CERTS.
 * A child process given `clientEnv()` thus talks to this fake and can reach nothing else of Twilio.
 *
 * Resources: services, environments, functions + versions, assets + versions, builds (+ status, which
 * stays "building" for `buildPolls` polls), deployments, variables. Dependencies travel in the build.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const API_HOST = 'serverless.twilio.com';
export const UPLOAD_HOST = 'serverless-upload.twilio.com';

export type UploadedFile = { filename: string; contentType: string; content: Buffer };

export type RecordedCall = {
  /** Host the client addressed (Host header, or the CONNECT target for refused tunnels). */
  host: string;
  method: string;
  /** Path with query, e.g. /v1/Services/ZS.../Functions. */
  path: string;
  /** Which fake endpoint answered, e.g. "functions.versions.create"; "unknown" or "connect.refused" otherwise. */
  route: string;
  status: number;
  /** Basic auth user name ("" when absent). */
  authUser: string;
  contentType: string | undefined;
  /** Form fields (url-encoded or multipart text parts); repeated keys become arrays. */
  form: Record<string, string | string[]>;
  /** Multipart file parts by field name. */
  files: Record<string, UploadedFile>;
};

type Service = {
  sid: string;
  unique_name: string;
  friendly_name: string;
  include_credentials: boolean;
  ui_editable: boolean;
  domain_base: string;
};
type Environment = {
  sid: string;
  service_sid: string;
  unique_name: string;
  domain_suffix: string | null;
  domain_name: string;
  build_sid: string | null;
};
type Resource = { sid: string; service_sid: string; friendly_name: string; kind: 'function' | 'asset' };
type Version = {
  sid: string;
  service_sid: string;
  parent_sid: string;
  kind: 'function' | 'asset';
  path: string;
  visibility: string;
  file: UploadedFile;
};
type Build = {
  sid: string;
  service_sid: string;
  status: 'building' | 'completed' | 'failed';
  function_versions: Version[];
  asset_versions: Version[];
  dependencies: { name: string; version: string }[];
  runtime: string | null;
  polls: number;
};
type Variable = { sid: string; service_sid: string; environment_sid: string; key: string; value: string };
type Deployment = { sid: string; service_sid: string; environment_sid: string; build_sid: string };

export type FakeState = {
  services: Service[];
  environments: Environment[];
  resources: Resource[];
  versions: Version[];
  builds: Build[];
  variables: Variable[];
  deployments: Deployment[];
};

/** What is live in an environment after its latest deployment: the view tests assert on. */
export type LiveDeployment = {
  service: Service;
  environment: Environment;
  buildSid: string;
  runtime: string | null;
  functions: { path: string; visibility: string; contentType: string; content: Buffer }[];
  assets: { path: string; visibility: string; contentType: string; content: Buffer }[];
  dependencies: { name: string; version: string }[];
  variables: Record<string, string>;
};

export type FakeServerlessApi = {
  /** HTTP_PROXY value for the client. */
  proxyUrl: string;
  /** PEM file of the fake's certificate, for NODE_EXTRA_CA_CERTS. */
  certificateFile: string;
  /** Environment variables that send a child process's Serverless API calls here. */
  clientEnv(): Record<string, string>;
  calls: RecordedCall[];
  state: FakeState;
  /** The environment's live deployment, or undefined when nothing was deployed there. */
  live(environmentSid: string): LiveDeployment | undefined;
  stop(): Promise<void>;
};

export type FakeOptions = {
  /** The credentials every request must carry (Basic auth). */
  accountSid: string;
  authToken: string;
  /** API keys of the account, also accepted (Basic auth with the key SID SK... and its secret). */
  apiKeys?: { sid: string; secret: string }[];
  /** How many status polls answer "building" before "completed" (default 1). */
  buildPolls?: number;
};

type Reply = { status: number; body?: unknown };
type Request = {
  host: string;
  method: string;
  path: string;
  query: URLSearchParams;
  form: Record<string, string | string[]>;
  files: Record<string, UploadedFile>;
};
type Route = {
  name: string;
  host: string;
  method: string;
  pattern: RegExp;
  handle(req: Request, m: RegExpMatchArray): Reply;
};

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

const sid = (prefix: string) => prefix + randomBytes(16).toString('hex');
const now = () => new Date().toISOString();
const twilioError = (status: number, code: number, message: string) => ({
  code,
  message,
  more_info: `https://www.twilio.com/docs/errors/${code}`,
  status,
});

function makeCertificate(dir: string): { key: Buffer; cert: Buffer; certFile: string } {
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '2',
        '-keyout',
        keyFile,
        '-out',
        certFile,
        '-subj',
        '/CN=Fake Serverless API (tests)',
        '-addext',
        `subjectAltName=DNS:${API_HOST},DNS:${UPLOAD_HOST}`,
      ],
      { stdio: 'pipe' },
    );
  } catch (error) {
    throw new Error(
      `the fake Serverless API needs the openssl command to make its test certificate: ${(error as Error).message}`,
    );
  }
  return { key: readFileSync(keyFile), cert: readFileSync(certFile), certFile };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function addField(form: Record<string, string | string[]>, key: string, value: string): void {
  const existing = form[key];
  form[key] = existing === undefined ? value : [existing, value].flat();
}

/** Url-encoded and multipart bodies, the two forms the Serverless API takes. */
async function parseBody(contentType: string | undefined, body: Buffer): Promise<Pick<Request, 'form' | 'files'>> {
  const form: Record<string, string | string[]> = {};
  const files: Record<string, UploadedFile> = {};
  if (contentType?.startsWith('application/x-www-form-urlencoded')) {
    for (const [k, v] of new URLSearchParams(body.toString('utf8'))) addField(form, k, v);
  } else if (contentType?.startsWith('multipart/form-data')) {
    // The platform's own multipart parser (undici's Request.formData).
    const data = await new globalThis.Request('http://fake.invalid/', {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: new Uint8Array(body),
    }).formData();
    for (const [k, v] of data) {
      if (typeof v === 'string') addField(form, k, v);
      else files[k] = { filename: v.name, contentType: v.type, content: Buffer.from(await v.arrayBuffer()) };
    }
  } else if (body.length > 0) {
    throw new ApiError(400, 20001, `Unsupported content type ${contentType ?? '(none)'}`);
  }
  return { form, files };
}

function field(req: Request, name: string, rule?: RegExp): string {
  const value = req.form[name];
  if (typeof value !== 'string' || value === '')
    throw new ApiError(400, 20001, `Missing required parameter ${name} in the post body`);
  if (rule && !rule.test(value)) throw new ApiError(400, 20001, `Invalid parameter ${name}: ${JSON.stringify(value)}`);
  return value;
}

const list = (key: string, path: string, items: unknown[]) => ({
  status: 200,
  body: {
    [key]: items,
    meta: {
      page: 0,
      page_size: 50,
      first_page_url: `https://${API_HOST}${path}?PageSize=50&Page=0`,
      previous_page_url: null,
      url: `https://${API_HOST}${path}?PageSize=50&Page=0`,
      next_page_url: null,
      key,
    },
  },
});

export async function startFakeServerlessApi(options: FakeOptions): Promise<FakeServerlessApi> {
  const dir = mkdtempSync(join(tmpdir(), 'fake-serverless-api-'));
  const { key, cert, certFile } = makeCertificate(dir);
  const buildPolls = options.buildPolls ?? 1;
  const state: FakeState = {
    services: [],
    environments: [],
    resources: [],
    versions: [],
    builds: [],
    variables: [],
    deployments: [],
  };
  const calls: RecordedCall[] = [];

  const base = (path: string) => `https://${API_HOST}/v1/${path}`;
  const service = (serviceSid: string) => {
    const found = state.services.find((s) => s.sid === serviceSid);
    if (!found) throw new ApiError(404, 20404, `The requested resource /Services/${serviceSid} was not found`);
    return found;
  };
  const environment = (serviceSid: string, environmentSid: string) => {
    const found = state.environments.find((e) => e.sid === environmentSid && e.service_sid === serviceSid);
    if (!found)
      throw new ApiError(
        404,
        20404,
        `The requested resource /Services/${serviceSid}/Environments/${environmentSid} was not found`,
      );
    return found;
  };
  const resource = (serviceSid: string, kind: Resource['kind'], resourceSid: string) => {
    const found = state.resources.find((r) => r.sid === resourceSid && r.service_sid === serviceSid && r.kind === kind);
    if (!found) throw new ApiError(404, 20404, `The requested ${kind} ${resourceSid} was not found`);
    return found;
  };
  const serviceJson = (s: Service) => ({
    sid: s.sid,
    account_sid: options.accountSid,
    unique_name: s.unique_name,
    friendly_name: s.friendly_name,
    include_credentials: s.include_credentials,
    ui_editable: s.ui_editable,
    domain_base: s.domain_base,
    date_created: now(),
    date_updated: now(),
    url: base(`Services/${s.sid}`),
    links: {},
  });
  const environmentJson = (e: Environment) => ({
    sid: e.sid,
    account_sid: options.accountSid,
    service_sid: e.service_sid,
    build_sid: e.build_sid,
    unique_name: e.unique_name,
    domain_suffix: e.domain_suffix,
    domain_name: e.domain_name,
    date_created: now(),
    date_updated: now(),
    url: base(`Services/${e.service_sid}/Environments/${e.sid}`),
    links: {},
  });
  const resourceJson = (r: Resource) => ({
    sid: r.sid,
    account_sid: options.accountSid,
    service_sid: r.service_sid,
    friendly_name: r.friendly_name,
    date_created: now(),
    date_updated: now(),
    url: base(`Services/${r.service_sid}/${r.kind === 'function' ? 'Functions' : 'Assets'}/${r.sid}`),
    links: {},
  });
  const versionJson = (v: Version) => ({
    sid: v.sid,
    account_sid: options.accountSid,
    service_sid: v.service_sid,
    [`${v.kind}_sid`]: v.parent_sid,
    path: v.path,
    visibility: v.visibility,
    date_created: now(),
    url: base(
      `Services/${v.service_sid}/${v.kind === 'function' ? 'Functions' : 'Assets'}/${v.parent_sid}/Versions/${v.sid}`,
    ),
  });
  const buildJson = (b: Build) => ({
    sid: b.sid,
    account_sid: options.accountSid,
    service_sid: b.service_sid,
    status: b.status,
    function_versions: b.function_versions.map(versionJson),
    asset_versions: b.asset_versions.map(versionJson),
    dependencies: b.dependencies,
    runtime: b.runtime,
    date_created: now(),
    date_updated: now(),
    url: base(`Services/${b.service_sid}/Builds/${b.sid}`),
    links: {},
  });
  const variableJson = (v: Variable) => ({
    sid: v.sid,
    account_sid: options.accountSid,
    service_sid: v.service_sid,
    environment_sid: v.environment_sid,
    key: v.key,
    value: v.value,
    date_created: now(),
    date_updated: now(),
    url: base(`Services/${v.service_sid}/Environments/${v.environment_sid}/Variables/${v.sid}`),
  });

  const S = '(ZS[0-9a-f]{32})';
  const E = '(ZE[0-9a-f]{32})';
  const H = '(ZH[0-9a-f]{32})';
  const B = '(ZB[0-9a-f]{32})';
  const V = '(ZV[0-9a-f]{32})';
  const at = (p: string) => new RegExp(`^/v1/${p}$`);

  const createResource =
    (kind: Resource['kind']) =>
    (req: Request, m: RegExpMatchArray): Reply => {
      const s = service(m[1]!);
      const friendlyName = field(req, 'FriendlyName', /^.{1,255}$/);
      if (state.resources.some((r) => r.service_sid === s.sid && r.kind === kind && r.friendly_name === friendlyName)) {
        throw new ApiError(409, 20001, `A ${kind} named ${friendlyName} already exists`);
      }
      const r: Resource = { sid: sid('ZH'), service_sid: s.sid, friendly_name: friendlyName, kind };
      state.resources.push(r);
      return { status: 201, body: resourceJson(r) };
    };
  const createVersion =
    (kind: Resource['kind']) =>
    (req: Request, m: RegExpMatchArray): Reply => {
      const r = resource(m[1]!, kind, m[2]!);
      const path = field(req, 'Path', /^\/[^\s#?]{0,254}$/);
      const visibility = field(req, 'Visibility', /^(public|protected|private)$/);
      const file = req.files.Content;
      if (!file) throw new ApiError(400, 20001, 'Missing required parameter Content (a file part)');
      const v: Version = {
        sid: sid('ZN'),
        service_sid: r.service_sid,
        parent_sid: r.sid,
        kind,
        path,
        visibility,
        file,
      };
      state.versions.push(v);
      return { status: 201, body: versionJson(v) };
    };

  const routes: Route[] = [
    {
      name: 'services.list',
      host: API_HOST,
      method: 'GET',
      pattern: at('Services'),
      handle: () => list('services', '/v1/Services', state.services.map(serviceJson)),
    },
    {
      name: 'services.create',
      host: API_HOST,
      method: 'POST',
      pattern: at('Services'),
      handle: (req) => {
        // Twilio's rule: letters, digits and dashes, under 50 characters
        const uniqueName = field(req, 'UniqueName', /^[A-Za-z0-9-]{1,49}$/);
        if (state.services.some((s) => s.unique_name === uniqueName))
          throw new ApiError(409, 20001, `Service with UniqueName ${uniqueName} already exists`);
        const s: Service = {
          sid: sid('ZS'),
          unique_name: uniqueName,
          friendly_name: field(req, 'FriendlyName'),
          include_credentials: req.form.IncludeCredentials === 'true',
          ui_editable: req.form.UiEditable === 'true',
          domain_base: `${uniqueName}-${1000 + state.services.length * 7 + 1234}`,
        };
        state.services.push(s);
        return { status: 201, body: serviceJson(s) };
      },
    },
    {
      name: 'services.fetch',
      host: API_HOST,
      method: 'GET',
      pattern: at(`Services/${S}`),
      handle: (_r, m) => ({ status: 200, body: serviceJson(service(m[1]!)) }),
    },
    {
      name: 'environments.list',
      host: API_HOST,
      method: 'GET',
      pattern: at(`Services/${S}/Environments`),
      handle: (_r, m) =>
        list(
          'environments',
          m[0]!,
          state.environments.filter((e) => e.service_sid === service(m[1]!).sid).map(environmentJson),
        ),
    },
    {
      name: 'environments.create',
      host: API_HOST,
      method: 'POST',
      pattern: at(`Services/${S}/Environments`),
      handle: (req, m) => {
        const s = service(m[1]!);
        const uniqueName = field(req, 'UniqueName', /^.{1,100}$/);
        const suffix = req.form.DomainSuffix === undefined ? null : field(req, 'DomainSuffix', /^[a-z0-9-]{1,16}$/);
        if (
          state.environments.some(
            (e) => e.service_sid === s.sid && (e.unique_name === uniqueName || e.domain_suffix === suffix),
          )
        ) {
          throw new ApiError(409, 20001, `Environment ${uniqueName} already exists`);
        }
        const e: Environment = {
          sid: sid('ZE'),
          service_sid: s.sid,
          unique_name: uniqueName,
          domain_suffix: suffix,
          domain_name: `${s.domain_base}${suffix ? `-${suffix}` : ''}.twil.io`,
          build_sid: null,
        };
        state.environments.push(e);
        return { status: 201, body: environmentJson(e) };
      },
    },
    {
      name: 'environments.fetch',
      host: API_HOST,
      method: 'GET',
      pattern: at(`Services/${S}/Environments/${E}`),
      handle: (_r, m) => ({ status: 200, body: environmentJson(environment(m[1]!, m[2]!)) }),
    },
    {
      name: 'functions.list',
      host: API_HOST,
      method: 'GET',
      pattern: at(`Services/${S}/Functions`),
      handle: (_r, m) =>
        list(
          'functions',
          m[0]!,
          state.resources
            .filter((r) => r.kind === 'function' && r.service_sid === service(m[1]!).sid)
            .map(resourceJson),
        ),
    },
    {
      name: 'functions.create',
      host: API_HOST,
      method: 'POST',
      pattern: at(`Services/${S}/Functions`),
      handle: createResource('function'),
    },
    {
      name: 'functions.versions.create',
      host: UPLOAD_HOST,
      method: 'POST',
      pattern: at(`Services/${S}/Functions/${H}/Versions`),
      handle: createVersion('function'),
    },
    {
      name: 'assets.list',
      host: API_HOST,
      method: 'GET',
      pattern: at(`Services/${S}/Assets`),
      handle: (_r, m) =>
        list(
          'assets',
          m[0]!,
          state.resources.filter((r) => r.kind === 'asset' && r.service_sid === service(m[1]!).sid).map(resourceJson),
        ),
    },
    {
      name: 'assets.create',
      host: API_HOST,
      method: 'POST',
      pattern: at(`Services/${S}/Assets`),
      handle: createResource('asset'),
    },
    {
      name: 'assets.versions.create',
      host: UPLOAD_HOST,
      method: 'POST',
      pattern: at(`Services/${S}/Assets/${H}/Versions`),
      handle: createVersion('asset'),
    },
    {
      name: 'builds.create',
      host: API_HOST,
      method: 'POST',
      pattern: at(`Services/${S}/Builds`),
      handle: (req, m) => {
        const s = service(m[1]!);
        const versionsOf = (name: string, kind: Version['kind']) =>
          [req.form[name] ?? []].flat().map((versionSid) => {
            const v = state.versions.find((x) => x.sid === versionSid && x.kind === kind && x.service_sid === s.sid);
            if (!v) throw new ApiError(400, 20001, `${name}: ${versionSid} is not a ${kind} version of this service`);
            return v;
          });
        let dependencies: Build['dependencies'] = [];
        const raw = req.form.Dependencies;
        if (raw !== undefined) {
          // serverless-api sends the JSON array wrapped in double quotes
          const text = String(raw).replace(/^"(.*)"$/s, '$1');
          try {
            dependencies = JSON.parse(text) as Build['dependencies'];
          } catch {
            throw new ApiError(400, 20001, 'Dependencies is not a JSON array');
          }
          if (
            !Array.isArray(dependencies) ||
            !dependencies.every((d) => typeof d?.name === 'string' && typeof d?.version === 'string')
          ) {
            throw new ApiError(400, 20001, 'Dependencies must be [{name, version}]');
          }
        }
        const runtime = req.form.Runtime === undefined ? null : field(req, 'Runtime', /^node\d+$/);
        const b: Build = {
          sid: sid('ZB'),
          service_sid: s.sid,
          status: 'building',
          function_versions: versionsOf('FunctionVersions', 'function'),
          asset_versions: versionsOf('AssetVersions', 'asset'),
          dependencies,
          runtime,
          polls: 0,
        };
        state.builds.push(b);
        return { status: 201, body: buildJson(b) };
      },
    },
    {
      name: 'builds.fetch',
      host: API_HOST,
      method: 'GET',
      pattern: at(`Services/${S}/Builds/${B}`),
      handle: (_r, m) => {
        const b = state.builds.find((x) => x.sid === m[2] && x.service_sid === m[1]);
        if (!b) throw new ApiError(404, 20404, `Build ${m[2]} was not found`);
        return { status: 200, body: buildJson(b) };
      },
    },
    {
      name: 'builds.status',
      host: API_HOST,
      method: 'GET',
      pattern: at(`Services/${S}/Builds/${B}/Status`),
      handle: (_r, m) => {
        const b = state.builds.find((x) => x.sid === m[2] && x.service_sid === m[1]);
        if (!b) throw new ApiError(404, 20404, `Build ${m[2]} was not found`);
        b.polls += 1;
        if (b.status === 'building' && b.polls > buildPolls) b.status = 'completed';
        return {
          status: 200,
          body: {
            sid: b.sid,
            account_sid: options.accountSid,
            service_sid: b.service_sid,
            status: b.status,
            url: base(`Services/${b.service_sid}/Builds/${b.sid}/Status`),
          },
        };
      },
    },
    {
      name: 'deployments.create',
      host: API_HOST,
      method: 'POST',
      pattern: at(`Services/${S}/Environments/${E}/Deployments`),
      handle: (req, m) => {
        const e = environment(m[1]!, m[2]!);
        const buildSid = field(req, 'BuildSid', /^ZB[0-9a-f]{32}$/);
        const b = state.builds.find((x) => x.sid === buildSid && x.service_sid === e.service_sid);
        if (!b) throw new ApiError(400, 20001, `BuildSid ${buildSid} is not a build of this service`);
        if (b.status !== 'completed') throw new ApiError(400, 20001, `Build ${buildSid} is ${b.status}, not completed`);
        const d: Deployment = { sid: sid('ZD'), service_sid: e.service_sid, environment_sid: e.sid, build_sid: b.sid };
        state.deployments.push(d);
        e.build_sid = b.sid;
        return {
          status: 201,
          body: {
            ...d,
            account_sid: options.accountSid,
            date_created: now(),
            date_updated: now(),
            url: base(`Services/${d.service_sid}/Environments/${d.environment_sid}/Deployments/${d.sid}`),
          },
        };
      },
    },
    {
      name: 'variables.list',
      host: API_HOST,
      method: 'GET',
      pattern: at(`Services/${S}/Environments/${E}/Variables`),
      handle: (_r, m) => {
        const e = environment(m[1]!, m[2]!);
        return list('variables', m[0]!, state.variables.filter((v) => v.environment_sid === e.sid).map(variableJson));
      },
    },
    {
      name: 'variables.create',
      host: API_HOST,
      method: 'POST',
      pattern: at(`Services/${S}/Environments/${E}/Variables`),
      handle: (req, m) => {
        const e = environment(m[1]!, m[2]!);
        const keyName = field(req, 'Key', /^[A-Za-z_][A-Za-z0-9_]{0,127}$/);
        const value = req.form.Value;
        if (typeof value !== 'string')
          throw new ApiError(400, 20001, 'Missing required parameter Value in the post body');
        if (state.variables.some((v) => v.environment_sid === e.sid && v.key === keyName))
          throw new ApiError(409, 20001, `Variable ${keyName} already exists`);
        const v: Variable = { sid: sid('ZV'), service_sid: e.service_sid, environment_sid: e.sid, key: keyName, value };
        state.variables.push(v);
        return { status: 201, body: variableJson(v) };
      },
    },
    {
      name: 'variables.update',
      host: API_HOST,
      method: 'POST',
      pattern: at(`Services/${S}/Environments/${E}/Variables/${V}`),
      handle: (req, m) => {
        const v = state.variables.find((x) => x.sid === m[3] && x.environment_sid === environment(m[1]!, m[2]!).sid);
        if (!v) throw new ApiError(404, 20404, `Variable ${m[3]} was not found`);
        if (typeof req.form.Key === 'string') v.key = req.form.Key;
        if (typeof req.form.Value === 'string') v.value = req.form.Value;
        return { status: 200, body: variableJson(v) };
      },
    },
    {
      name: 'variables.delete',
      host: API_HOST,
      method: 'DELETE',
      pattern: at(`Services/${S}/Environments/${E}/Variables/${V}`),
      handle: (_r, m) => {
        const index = state.variables.findIndex(
          (x) => x.sid === m[3] && x.environment_sid === environment(m[1]!, m[2]!).sid,
        );
        if (index < 0) throw new ApiError(404, 20404, `Variable ${m[3]} was not found`);
        state.variables.splice(index, 1);
        return { status: 204 };
      },
    },
  ];

  const basic = (user: string, secret: string) => `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}`;
  const acceptedAuth = new Set([
    basic(options.accountSid, options.authToken),
    ...(options.apiKeys ?? []).map((k) => basic(k.sid, k.secret)),
  ]);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const host = (req.headers.host ?? '').replace(/:443$/, '');
    const url = new URL(req.url ?? '/', `https://${host}`);
    const authHeader = req.headers.authorization ?? '';
    const authUser = authHeader.startsWith('Basic ')
      ? (Buffer.from(authHeader.slice(6), 'base64').toString('utf8').split(':')[0] ?? '')
      : '';
    const call: RecordedCall = {
      host,
      method: req.method ?? 'GET',
      path: url.pathname + url.search,
      route: 'unknown',
      status: 0,
      authUser,
      contentType: req.headers['content-type'],
      form: {},
      files: {},
    };
    calls.push(call);
    let reply: Reply;
    try {
      const body = await readBody(req);
      const parsed = await parseBody(call.contentType, body);
      call.form = parsed.form;
      call.files = parsed.files;
      let found: { route: Route; match: RegExpMatchArray } | undefined;
      for (const route of routes) {
        const match = route.host === host && route.method === call.method ? url.pathname.match(route.pattern) : null;
        if (match) {
          found = { route, match };
          break;
        }
      }
      if (!found) throw new ApiError(404, 20404, `The requested resource ${url.pathname} was not found on ${host}`);
      call.route = found.route.name;
      if (!acceptedAuth.has(authHeader)) throw new ApiError(401, 20003, 'Authenticate');
      reply = found.route.handle(
        { host, method: call.method, path: url.pathname, query: url.searchParams, ...parsed },
        found.match,
      );
    } catch (error) {
      reply =
        error instanceof ApiError
          ? { status: error.status, body: twilioError(error.status, error.code, error.message) }
          : { status: 500, body: twilioError(500, 20500, String(error)) };
    }
    call.status = reply.status;
    if (reply.body === undefined) {
      res.writeHead(reply.status).end();
    } else {
      res
        .writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8' })
        .end(JSON.stringify(reply.body));
    }
  }

  const api = createHttpsServer({ key, cert }, (req, res) => void handle(req, res));
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  const apiPort = (api.address() as AddressInfo).port;

  const tunnels = new Set<Socket>();
  const proxy: Server = createHttpServer((req, res) => {
    calls.push({
      host: req.headers.host ?? '',
      method: req.method ?? '',
      path: req.url ?? '',
      route: 'proxy.plain-http',
      status: 405,
      authUser: '',
      contentType: undefined,
      form: {},
      files: {},
    });
    res.writeHead(405).end('this proxy only tunnels HTTPS to the Serverless API hosts');
  });
  proxy.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const [targetHost, targetPort] = (req.url ?? '').split(':');
    tunnels.add(client);
    client.on('close', () => tunnels.delete(client));
    client.on('error', () => client.destroy());
    if ((targetHost !== API_HOST && targetHost !== UPLOAD_HOST) || targetPort !== '443') {
      calls.push({
        host: req.url ?? '',
        method: 'CONNECT',
        path: '',
        route: 'connect.refused',
        status: 403,
        authUser: '',
        contentType: undefined,
        form: {},
        files: {},
      });
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const upstream = connect(apiPort, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    tunnels.add(upstream);
    upstream.on('close', () => tunnels.delete(upstream));
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;

  return {
    proxyUrl,
    certificateFile: certFile,
    clientEnv: () => ({ HTTP_PROXY: proxyUrl, NODE_EXTRA_CA_CERTS: certFile }),
    calls,
    state,
    live(environmentSid) {
      const e = state.environments.find((x) => x.sid === environmentSid);
      const b = e && state.builds.find((x) => x.sid === e.build_sid);
      if (!e || !b) return undefined;
      const view = (v: Version) => ({
        path: v.path,
        visibility: v.visibility,
        contentType: v.file.contentType,
        content: v.file.content,
      });
      return {
        service: service(e.service_sid),
        environment: e,
        buildSid: b.sid,
        runtime: b.runtime,
        functions: b.function_versions.map(view),
        assets: b.asset_versions.map(view),
        dependencies: b.dependencies,
        variables: Object.fromEntries(
          state.variables.filter((v) => v.environment_sid === e.sid).map((v) => [v.key, v.value]),
        ),
      };
    },
    stop: async () => {
      for (const socket of tunnels) socket.destroy();
      api.closeAllConnections();
      proxy.closeAllConnections();
      await Promise.all([new Promise((r) => api.close(r)), new Promise((r) => proxy.close(r))]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
