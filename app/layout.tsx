import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import { Toaster } from '@/components/toaster';
import './globals.css';

// An inline icon: no /favicon.ico request (and no 404 in the console).
const icon =
  "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'%3E%3Crect width='32' height='32' rx='8' fill='%234c57d4'/%3E%3Cpath d='M7 23l6-7 4 4 3-3 5 6z' fill='%23fff'/%3E%3Ccircle cx='21.5' cy='10.5' r='2.5' fill='%23fff'/%3E%3C/svg%3E";

export const metadata: Metadata = {
  title: 'imagegen: batch image generator',
  description: 'Generate several images from one prompt, with live progress and per-image results.',
  icons: { icon },
};

export const viewport: Viewport = {
  width: 'device-width',
  initialScale: 1,
  colorScheme: 'light dark',
  themeColor: [
    { media: '(prefers-color-scheme: light)', color: '#f6f6f3' },
    { media: '(prefers-color-scheme: dark)', color: '#111113' },
  ],
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <main>{children}</main>
        <Toaster />
      </body>
    </html>
  );
}
