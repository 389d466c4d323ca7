/**
 * How large a request may be, in one place without dependencies: the routes read bodies to these
 * limits, and next.config.ts (which cannot load the rest of the server) sizes the proxy's copy of
 * the body from them.
 */

/** Largest accepted upload, per image. */
export const maxInputImageBytes = 10 * 1024 * 1024;

/** Largest body of a request without images (`/api/generate`): prompts and options only. */
export const maxTextRequestBytes = 1024 * 1024;

/** Largest request body with images: four images at the 10 MB limit (base64 in JSON is 4/3 of the bytes). */
export const maxImageRequestBytes = Math.ceil(maxInputImageBytes * 4 * 1.4) + 64 * 1024;

/**
 * How much of a body Next.js may hold for proxy.ts (`proxyClientMaxBodySize`). Past it, Next.js
 * silently hands the route a cut-off body (10 MB by default: a 12 MB upload of two images became
 * "The multipart form could not be read"). So it sits above every route's own limit by more than
 * one socket read: a route always reads past its limit and answers 413 itself, in words.
 */
export const proxyBodyLimitBytes = maxImageRequestBytes + 1024 * 1024;
