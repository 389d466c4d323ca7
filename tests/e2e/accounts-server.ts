import { resolve } from 'node:path';
import { e2ePorts } from './ports';

/**
 * The second server of the browser tests: the same build with accounts on (ADMIN_PASSWORD creates
 * the admin at its first start), its own fresh DATA_DIR. Ports: see ./ports.
 */
export const accountsServer = {
  port: e2ePorts.accounts,
  baseURL: `http://127.0.0.1:${e2ePorts.accounts}`,
  dataDirectory: resolve('.e2e-data-accounts'),
  adminUsername: 'admin',
  adminPassword: 'e2e admin password',
} as const;
