// REST calls with the student's or instructor's token. Errors come back as ApiError with the server's code and
// message (the body's { error: { code, message } }), so the page can show both.

export class ApiError extends Error {
  constructor(code, message, status, params) {
    super(message);
    this.code = code;
    this.status = status;
    /** The values the message names (the server's error params), to say it in another language; or undefined. */
    this.params = params;
  }
}

let token = null;

export function setToken(t) {
  token = t;
}

export function getToken() {
  return token;
}

/** fetch JSON; throws ApiError (NETWORK when the server cannot be reached). */
export async function api(method, path, body) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    throw new ApiError('NETWORK', `the server could not be reached (${e.message})`, 0, { why: e.message });
  }
  const text = await res.text();
  let json = null;
  try {
    json = text === '' ? null : JSON.parse(text);
  } catch {
    json = null;
  }
  if (!res.ok) {
    const err = json?.error;
    throw new ApiError(
      err?.code ?? `HTTP_${res.status}`,
      err?.message ?? (text.slice(0, 200) || res.statusText),
      res.status,
      err?.params,
    );
  }
  return json;
}

export const get = (path) => api('GET', path);
export const post = (path, body = {}) => api('POST', path, body);
export const patch = (path, body) => api('PATCH', path, body);
export const put = (path, body) => api('PUT', path, body);
export const del = (path) => api('DELETE', path);

/** The token from ?token= (removed from the address bar once read), else from localStorage under this key. */
export function tokenFromPage(storageKey) {
  const url = new URL(location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    localStorage.setItem(storageKey, fromUrl);
    url.searchParams.delete('token');
    history.replaceState(null, '', url.pathname + url.search + url.hash);
    return fromUrl;
  }
  return localStorage.getItem(storageKey);
}
