import { describe, expect, it } from 'vitest';
import { chromiumPath, ensureChromium, type ChromiumSystem } from './ensure-chromium';

/** A machine as ensureChromium sees it: where Chromium is, who we are, what each command exits with. */
function fakeSystem(machine: { hasChromium: boolean; isRoot: boolean; hasAptGet: boolean; failing?: string; installsBinary?: boolean }) {
  let installed = machine.hasChromium;
  const commands: string[] = [];
  const logged: string[] = [];
  const system: ChromiumSystem = {
    isExecutable: (path) => path === chromiumPath && installed,
    isRoot: () => machine.isRoot,
    hasAptGet: () => machine.hasAptGet,
    run(command, args, env) {
      const line = `${Object.entries(env).map(([name, value]) => `${name}=${value} `).join('')}${command} ${args.join(' ')}`;
      commands.push(line);
      if (machine.failing && line.includes(machine.failing)) return { status: 100, output: 'E: Could not get lock /var/lib/dpkg/lock-frontend' };
      if (args[0] === 'install') installed = machine.installsBinary ?? true;
      return { status: 0, output: '' };
    },
    log: (line) => logged.push(line),
  };
  return { system, commands, logged };
}

describe('ensureChromium', () => {
  it('does nothing when /usr/bin/chromium is there, whoever we are', () => {
    for (const isRoot of [true, false]) {
      const { system, commands, logged } = fakeSystem({ hasChromium: true, isRoot, hasAptGet: true });
      expect(ensureChromium(system)).toEqual({ kind: 'present' });
      expect(commands).toEqual([]);
      expect(logged).toEqual([]);
    }
  });

  it('as root with apt-get: updates the package lists, installs chromium non-interactively, and says so in one line', () => {
    const { system, commands, logged } = fakeSystem({ hasChromium: false, isRoot: true, hasAptGet: true });
    expect(ensureChromium(system)).toEqual({ kind: 'installed' });
    expect(commands).toEqual(['DEBIAN_FRONTEND=noninteractive apt-get update -qq', 'DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium']);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(/Installing Debian's Chromium/);
  });

  it('not root: installs nothing and says exactly what to run, with sudo', () => {
    const { system, commands } = fakeSystem({ hasChromium: false, isRoot: false, hasAptGet: true });
    const outcome = ensureChromium(system);
    expect(commands).toEqual([]);
    expect(outcome.kind).toBe('missing');
    const message = outcome.kind === 'missing' ? outcome.message : '';
    expect(message).toContain('/usr/bin/chromium');
    expect(message).toContain('sudo apt-get update -qq');
    expect(message).toContain('sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium');
  });

  it('no apt-get: installs nothing and says Chromium must be installed at /usr/bin/chromium', () => {
    for (const isRoot of [true, false]) {
      const { system, commands } = fakeSystem({ hasChromium: false, isRoot, hasAptGet: false });
      const outcome = ensureChromium(system);
      expect(commands).toEqual([]);
      expect(outcome).toEqual({ kind: 'missing', message: expect.stringMatching(/no apt-get: install Chromium so that \/usr\/bin\/chromium runs it/) });
    }
  });

  it('a failed apt-get update stops before the install and shows apt’s error and the commands to run', () => {
    const { system, commands } = fakeSystem({ hasChromium: false, isRoot: true, hasAptGet: true, failing: 'update' });
    const outcome = ensureChromium(system);
    expect(commands).toEqual(['DEBIAN_FRONTEND=noninteractive apt-get update -qq']);
    expect(outcome).toEqual({ kind: 'missing', message: expect.stringContaining('`apt-get update -qq` failed (exit 100)') });
    expect(outcome.kind === 'missing' && outcome.message).toContain('Could not get lock');
    expect(outcome.kind === 'missing' && outcome.message).toContain('DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium');
  });

  it('a failed install is reported, not taken for success', () => {
    const { system } = fakeSystem({ hasChromium: false, isRoot: true, hasAptGet: true, failing: 'install' });
    expect(ensureChromium(system)).toEqual({ kind: 'missing', message: expect.stringContaining('`apt-get install -y -qq chromium` failed (exit 100)') });
  });

  it('an install that leaves no /usr/bin/chromium is reported', () => {
    const { system } = fakeSystem({ hasChromium: false, isRoot: true, hasAptGet: true, installsBinary: false });
    expect(ensureChromium(system)).toEqual({ kind: 'missing', message: expect.stringMatching(/still missing/) });
  });
});
