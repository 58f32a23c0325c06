import type { Context, Next } from 'koa';

// Avatars come from WeCom's CDN over https; Vant sets inline style attributes.
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "img-src 'self' data: blob: https:",
  "style-src 'self' 'unsafe-inline'",
  // Vant's icon font is inlined as a data: URL.
  "font-src 'self' data:",
  "script-src 'self'",
  "connect-src 'self'",
  "frame-ancestors 'self'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ');

export function securityHeaders(options: { hsts: boolean }) {
  return async function setSecurityHeaders(ctx: Context, next: Next): Promise<void> {
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'strict-origin-when-cross-origin');
    // A policy governs a document (and a worker); on the H5's hashed scripts, styles and fonts it
    // is ignored, and on the sidebar's cold open the ~235 bytes it adds to each file add up (issue 37).
    if (!ctx.path.startsWith('/assets/')) ctx.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    ctx.set('Cross-Origin-Opener-Policy', 'same-origin');
    if (options.hsts) ctx.set('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    await next();
  };
}
