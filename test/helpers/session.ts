/**
 * A minimal browser for API tests: a cookie jar plus the OAuth dance through the mounted
 * simulator, so tests log in exactly as a person does (authorize → pick employee → callback).
 */
import type { TestServer } from './server';

export class Browser {
  private readonly cookies = new Map<string, string>();

  constructor(readonly baseUrl: string) {}

  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const url = path.startsWith('http') ? path : `${this.baseUrl}${path}`;
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  json(path: string, method: string, body?: unknown): Promise<Response> {
    return this.fetch(path, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  /** Another browser holding the same cookies (a stolen cookie jar, a second tab). */
  clone(): Browser {
    const copy = new Browser(this.baseUrl);
    for (const [k, v] of this.cookies) copy.cookies.set(k, v);
    return copy;
  }

  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  /** Step 1: our authorize endpoint; returns the WeCom (simulator) URL it redirects to. */
  async beginLogin(redirect = '/workbench'): Promise<URL> {
    const res = await this.fetch(`/api/auth/wecom/authorize?redirect=${encodeURIComponent(redirect)}`);
    if (res.status !== 302) throw new Error(`authorize answered ${res.status}: ${await res.text()}`);
    return new URL(res.headers.get('location')!);
  }

  /** Step 2: the simulator's page, skipping the picker with login_as; returns our callback URL. */
  async pickEmployee(authorizeUrl: URL, userid: string): Promise<URL> {
    const url = new URL(authorizeUrl);
    url.hash = '';
    url.searchParams.set('login_as', userid);
    const res = await this.fetch(url.toString());
    if (res.status !== 302) throw new Error(`simulator answered ${res.status}: ${await res.text()}`);
    return new URL(res.headers.get('location')!);
  }

  /** The whole dance; returns the final callback response (302 to the redirect on success). */
  async login(userid: string, redirect = '/workbench'): Promise<Response> {
    const callback = await this.pickEmployee(await this.beginLogin(redirect), userid);
    return this.fetch(callback.toString());
  }
}

/** A browser already logged in as `userid`. */
export async function loggedIn(server: TestServer, userid: string): Promise<Browser> {
  const browser = new Browser(server.baseUrl);
  const res = await browser.login(userid);
  if (res.status !== 302) throw new Error(`login as ${userid} failed: ${res.status} ${await res.text()}`);
  return browser;
}
