/**
 * Making the account match the templates folder, by friendly name: what to do (planSync, pure) and doing it
 * (applySync). Content is immutable, so a changed template is created anew, submitted, and only then is the old
 * one deleted: the account is never without the template. A rerun with no change creates nothing.
 */
import { contentCreateBody, primaryType, type TemplateFile } from '../../lib/templates';
import type { ApprovalState, ContentApi, RemoteContent } from './api';

export type LocalTemplate = { file: string; template: TemplateFile };

export type PlanItem = LocalTemplate &
  (
    | { kind: 'create' }
    /** The account has the name, but not this content: create the new one, then delete `old`. */
    | { kind: 'replace'; old: RemoteContent[] }
    /** The account has this content; `stale` are others of the same name (left by an interrupted replace). */
    | { kind: 'keep'; current: RemoteContent; stale: RemoteContent[] }
  );

/** A value as compared: keys in any order, and null fields the API adds left out. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== null && v !== undefined);
    return Object.fromEntries(entries.sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, canonical(v)]));
  }
  return value;
}

const same = (a: unknown, b: unknown) => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));

/** Whether the account's content is exactly what the file defines (language, variables, types). */
export function isSameContent(template: TemplateFile, remote: RemoteContent): boolean {
  return (
    remote.language === template.language &&
    same(template.variables, remote.variables ?? {}) &&
    same(template.types, remote.types ?? {})
  );
}

export function planSync(local: LocalTemplate[], remote: RemoteContent[]): PlanItem[] {
  return local.map((item) => {
    const named = remote.filter((r) => r.friendly_name === item.template.friendly_name);
    const matching = named.filter((r) => isSameContent(item.template, r));
    if (matching.length) {
      const current = matching[matching.length - 1]!;
      return { ...item, kind: 'keep', current, stale: named.filter((r) => r !== current) };
    }
    return named.length ? { ...item, kind: 'replace', old: named } : { ...item, kind: 'create' };
  });
}

/** WhatsApp never approves a list picker: such content is created but not submitted. */
export const isSubmittable = (template: TemplateFile) => template.types['twilio/list-picker'] === undefined;

export type SyncRow = {
  name: string;
  file: string;
  sid?: string;
  type: string;
  /** unsubmitted | received | pending | approved | rejected | ... or "session only" for a list picker. */
  approval: string;
  rejectionReason?: string;
  action: 'created' | 'replaced' | 'unchanged' | 'would create' | 'would replace' | 'unchanged (dry run)' | 'failed';
  /** SIDs deleted (replaced or stale). */
  deleted: string[];
  error?: string;
};

function approvalOf(
  template: TemplateFile,
  state: ApprovalState | null | undefined,
): Pick<SyncRow, 'approval' | 'rejectionReason'> {
  if (!isSubmittable(template)) return { approval: 'session only' };
  const status = state?.status || 'unsubmitted';
  return status === 'rejected'
    ? { approval: status, rejectionReason: state?.rejection_reason || 'no reason given' }
    : { approval: status };
}

const rowBase = (item: PlanItem) => ({
  name: item.template.friendly_name,
  file: item.file,
  type: primaryType(item.template.types) ?? '-',
  deleted: [] as string[],
});

/** What a dry run would do, without a single write. */
export function describePlan(plan: PlanItem[]): SyncRow[] {
  return plan.map((item) => {
    const base = rowBase(item);
    if (item.kind === 'keep') {
      return {
        ...base,
        sid: item.current.sid,
        ...approvalOf(item.template, item.current.approval_requests),
        action: 'unchanged (dry run)',
        deleted: item.stale.map((s) => s.sid),
      };
    }
    const replaced = item.kind === 'replace' ? item.old.map((o) => o.sid) : [];
    return {
      ...base,
      approval: isSubmittable(item.template) ? 'unsubmitted' : 'session only',
      action: item.kind === 'create' ? 'would create' : 'would replace',
      deleted: replaced,
    };
  });
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

async function submitIfNeeded(
  api: ContentApi,
  template: TemplateFile,
  sid: string,
  current?: ApprovalState | null,
): Promise<ApprovalState | null | undefined> {
  if (!isSubmittable(template)) return undefined;
  if (current && current.status !== 'unsubmitted') return current;
  return api.submit(sid, template.friendly_name, template.category);
}

/** Applies the plan, one template at a time; one template's failure does not stop the others. */
export async function applySync(api: ContentApi, plan: PlanItem[]): Promise<SyncRow[]> {
  const rows: SyncRow[] = [];
  for (const item of plan) {
    const base = rowBase(item);
    let sid: string | undefined;
    try {
      if (item.kind === 'keep') {
        sid = item.current.sid;
        const approval = await submitIfNeeded(api, item.template, sid, item.current.approval_requests);
        for (const stale of item.stale) await api.remove(stale.sid);
        rows.push({
          ...base,
          sid,
          ...approvalOf(item.template, approval),
          action: 'unchanged',
          deleted: item.stale.map((s) => s.sid),
        });
        continue;
      }
      const created = await api.create(contentCreateBody(item.template));
      sid = created.sid;
      const approval = await submitIfNeeded(api, item.template, sid);
      const old = item.kind === 'replace' ? item.old : [];
      for (const previous of old) await api.remove(previous.sid);
      rows.push({
        ...base,
        sid,
        ...approvalOf(item.template, approval),
        action: item.kind === 'create' ? 'created' : 'replaced',
        deleted: old.map((o) => o.sid),
      });
    } catch (error) {
      rows.push({ ...base, sid, approval: '-', action: 'failed', error: messageOf(error) });
    }
  }
  return rows;
}
