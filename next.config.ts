import type { NextConfig } from 'next';
import { proxyBodyLimitBytes } from './lib/server/request-limits';

const isDevelopment = process.env.NODE_ENV === 'development';

/**
 * The page's Content-Security-Policy: everything from this origin only; images also from blob: and
 * data: (previews of uploads); no eval (React needs it only in development); no framing.
 */
const contentSecurityPolicy = [
  "default-src 'self'",
  `script-src 'self' 'unsafe-inline'${isDevelopment ? " 'unsafe-eval'" : ''}`,
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' blob: data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const nextConfig: NextConfig = {
  // sharp is a native module: load it from node_modules at run time instead of bundling it.
  serverExternalPackages: ['sharp'],
  poweredByHeader: false,
  // proxy.ts runs on every request, so Next.js keeps a copy of each body for it and cuts the body
  // the route gets at this size (10 MB by default, below the 56 MB an image request may take).
  experimental: { proxyClientMaxBodySize: proxyBodyLimitBytes },
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'Content-Security-Policy', value: contentSecurityPolicy },
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'Referrer-Policy', value: 'same-origin' },
          { key: 'X-Frame-Options', value: 'DENY' },
        ],
      },
    ];
  },
};

export default nextConfig;
