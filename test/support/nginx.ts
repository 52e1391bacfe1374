/**
 * A real nginx for the gateway's integration tests: the binary (PB_NGINX names one; set to a path that does not
 * exist, it shows what a machine without nginx sees), the gate that skips a suite by name without it, and one way to
 * run a configuration until the test stops it.
 */
import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { waitForPort } from './net';
import { Gate, runsWhen } from './runs-when';

export const NGINX: string | undefined = (process.env.PB_NGINX ? [process.env.PB_NGINX] : ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/bin/nginx'])
  .find((p) => fs.existsSync(p));

/** The suites that need nginx (and whatever else `also` names as missing). */
export function withNginx(also: { [tool: string]: boolean } = {}): Gate {
  const missing = [...NGINX ? [] : ['nginx'], ...Object.entries(also).filter(([, found]) => !found).map(([tool]) => tool)];
  return runsWhen(missing.length === 0, `${missing.join(' and ')} not installed (Debian: apt-get install nginx-light openssl; .ci/run does; PB_NGINX names another nginx)`);
}

/**
 * Runs nginx on a configuration text (checked with `nginx -t` first; its /tmp/ paths moved under `dir`) until the
 * returned stop is called; resolves once it listens on every port.
 */
export async function runNginx(dir: string, name: string, config: string, ports: number[]): Promise<() => Promise<void>> {
  const file = path.join(dir, `${name}.conf`);
  fs.writeFileSync(file, config.replace(/\/tmp\//g, `${dir}/${name}-`));
  execFileSync(NGINX!, ['-t', '-q', '-e', 'stderr', '-p', dir, '-c', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const child: ChildProcess = spawn(NGINX!, ['-e', 'stderr', '-p', dir, '-c', file, '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr?.on('data', (d) => (stderr += d));
  for (const port of ports) await waitForPort(port, child, () => stderr);
  return () => new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGQUIT');
  });
}
