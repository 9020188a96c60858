// Talking to the service: every call goes to /api/v1 with the session cookie; a problem+json
// answer becomes an ApiError carrying its field errors. A 401 on a call made while signed in
// asks the shell to sign in again and then repeats the call, so nothing typed is lost.

export interface FieldError { field: string; message: string }
export interface Problem { type?: string; title?: string; status: number; detail?: string; errors?: FieldError[]; [k: string]: unknown }

export class ApiError extends Error {
  constructor(public status: number, public problem: Problem, public etag: string | null = null) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
  }
  /** The message for a field path (`properties.standard_name`), if the service named it. */
  fieldMessage(field: string): string | undefined {
    return this.problem.errors?.find((e) => e.field === field || e.field.startsWith(field + '['))?.message;
  }
}

export interface Options { method?: string; body?: unknown; ifMatch?: string | null; form?: FormData; raw?: boolean }

type Reauth = () => Promise<void>;
let reauthenticate: Reauth | null = null;
/** The shell registers how to sign in again when a session ends under an open form. */
export function onSessionExpired(handler: Reauth | null) { reauthenticate = handler; }

export async function call<T = any>(path: string, options: Options = {}): Promise<{ data: T; etag: string | null; response: Response }> {
  const headers: Record<string, string> = { accept: 'application/json, application/geo+json' };
  let body: BodyInit | undefined;
  if (options.form) body = options.form;
  else if (options.body !== undefined) { headers['content-type'] = 'application/json'; body = JSON.stringify(options.body); }
  if (options.ifMatch) headers['if-match'] = options.ifMatch;
  const url = path.startsWith('/') ? path : `/api/v1/${path}`;
  const response = await fetch(url, { method: options.method ?? 'GET', headers, body, credentials: 'same-origin' });
  const etag = response.headers.get('etag');
  if (response.status === 401 && reauthenticate && !url.endsWith('/auth/login') && !url.endsWith('/auth/me')) {
    await reauthenticate();
    return call<T>(path, options);
  }
  if (!response.ok) {
    let problem: Problem = { status: response.status };
    try { problem = await response.json(); } catch { /* not JSON */ }
    throw new ApiError(response.status, problem, etag);
  }
  if (options.raw || response.status === 204) return { data: undefined as T, etag, response };
  const type = response.headers.get('content-type') ?? '';
  const data = type.includes('json') ? await response.json() : await response.text();
  return { data, etag, response };
}

export const get = async <T = any>(path: string) => (await call<T>(path)).data;

/** Query string from an object, leaving out empty values. */
export function qs(params: Record<string, string | number | boolean | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') search.set(k, String(v));
  const text = search.toString();
  return text ? `?${text}` : '';
}

export interface Actor { user_id: number; username: string; role: 'admin' | 'editor' | 'reviewer' | 'inspector'; jurisdictions: string[] }
