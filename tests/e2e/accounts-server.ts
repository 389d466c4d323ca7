import { resolve } from 'node:path';

/**
 * The second server of the browser tests: the same build with accounts on (ADMIN_PASSWORD creates
 * the admin at its first start), its own fresh DATA_DIR. Port 3211 is real-provider-picker's.
 */
export const accountsServer = {
  port: 3212,
  baseURL: 'http://127.0.0.1:3212',
  dataDirectory: resolve('.e2e-data-accounts'),
  adminUsername: 'admin',
  adminPassword: 'e2e admin password',
} as const;
