/**
 * The Redis password's path at start, executed as the pod would: the init container's script (POSIX sh, as in the
 * Redis image) writes the auth file from the Secret's value, and a real redis-server reads the generated config with
 * it — authentication works for awkward passwords, and the password is on no command line.
 * Needs `sh` and `sed` (always) and redis-server (Debian: apt-get install redis-server; .ci/run installs it).
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { Redis } from '../../constructs';
import { findObject, synthValid, testChart } from '../support/k8s';
import { runsWhen } from '../support/runs-when';
import { freePort } from '../support/net';

const REDIS_SERVER = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((p) => fs.existsSync(p));
const withServer = runsWhen(REDIS_SERVER !== undefined, 'redis-server is not installed (apt-get install redis-server; .ci/run does); the script was checked without it').test;

const { chart } = testChart('data');
new Redis(chart, 'cache');
const sts = findObject(synthValid(chart), 'StatefulSet', 'cache');
const init = sts.spec.template.spec.initContainers[0];
const main = sts.spec.template.spec.containers[0];
const authMount = init.volumeMounts.find((m: any) => m.name === 'auth').mountPath as string;
const config = findObject(synthValid(chart), 'ConfigMap', 'cache-config').data['redis.conf'] as string;

/** Runs the init container's command with the given password, with the auth volume at a scratch folder. */
function runInit(password: string, pathEnv = process.env.PATH): { status: number | null; stderr: string; dir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-redis-auth-'));
  const [shell, flag, script] = init.command as string[];
  const result = spawnSync(shell, [flag, script.split(authMount).join(dir)], { env: { PATH: pathEnv, REDIS_PASSWORD: password }, encoding: 'utf8' });
  return { status: result.status, stderr: result.stderr, dir };
}

/** Sends one command (RESP, so any byte of the password goes through) and returns the first reply line. */
function command(port: number, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const parts = args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('');
    socket.on('connect', () => socket.write(`*${args.length}\r\n${parts}`));
    socket.once('data', (d) => { resolve(d.toString().split('\r\n')[0]); socket.destroy(); });
    socket.on('error', reject);
  });
}

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      await command(port, ['PING']);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`redis-server did not listen on ${port}`);
}

describe('the Redis password at start', () => {
  test('the password reaches Redis through the auth file only: no argv, the main container has no password variable but the probe\'s', () => {
    expect(main.args).toEqual(['redis-server', '/etc/redis/redis.conf']);
    expect(main.env.map((e: any) => e.name)).toEqual(['REDISCLI_AUTH']);
    expect(init.env).toEqual([{ name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: 'cache-auth', key: 'password' } } }]);
    expect(config).toContain(`include ${authMount}/auth.conf\n`);
    expect(sts.spec.template.spec.volumes).toContainEqual({ name: 'auth', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } });
  });

  test.each([
    ['', 'the Redis password is empty, which would turn authentication off'],
    ['line\nbreak', 'the Redis password contains a line break'],
  ])('a password Redis cannot hold (%j) stops the pod with a message', (password, message) => {
    const run = runInit(password);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(message);
    expect(fs.existsSync(path.join(run.dir, 'auth.conf'))).toBe(false);
  });

  test('an image without sed fails closed: the pod stops, no auth file (never `requirepass ""`, which turns auth off)', () => {
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-no-sed-'));
    const sh = spawnSync('sh', ['-c', 'command -v sh'], { encoding: 'utf8' }).stdout.trim();
    fs.symlinkSync(sh, path.join(bin, 'sh'));
    const run = runInit('s3cret', bin);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/sed/);
    expect(fs.existsSync(path.join(run.dir, 'auth.conf'))).toBe(false);
  });

  test('the auth file is readable by its owner only', () => {
    const run = runInit('s3cret');
    expect(run.status).toBe(0);
    expect(fs.readFileSync(path.join(run.dir, 'auth.conf'), 'utf8')).toBe('requirepass "s3cret"\n');
    expect(fs.statSync(path.join(run.dir, 'auth.conf')).mode & 0o077).toBe(0);
  });

  withServer.each([
    ['plain', 'Zq8v2XkPp0s9LmNt4Rw7'],
    ['quotes and backslashes', 'a"b\\c\\"d\\\\'],
    ['what looks like escapes', '\\x41\\n\\t'],
    ['spaces, shell and config syntax', ' $HOME `id` ; # requirepass x '],
    ['non-ASCII', 'pässwörd-密码-🔑'],
  ])('a real redis-server authenticates with the password (%s), and refuses another', async (_name, password) => {
    const run = runInit(password);
    expect(run.stderr).toBe('');
    const port = await freePort();
    const data = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-redis-data-'));
    const conf = path.join(run.dir, 'redis.conf');
    fs.writeFileSync(conf, config.split(authMount).join(run.dir).replace('port 6379', `port ${port}\nbind 127.0.0.1\nsave ""`).replace('dir /data', `dir ${data}`));
    const server = spawn(REDIS_SERVER!, [conf], { stdio: 'ignore' });
    try {
      await waitForPort(port);
      expect(await command(port, ['GET', 'k'])).toMatch(/^-NOAUTH/);
      expect(await command(port, ['AUTH', `${password}x`])).toMatch(/^-WRONGPASS/);
      expect(await command(port, ['AUTH', password])).toBe('+OK');
      // Started as the container starts it: the config file only, no password argument for the kubelet to expand.
      expect(server.spawnargs).toEqual([REDIS_SERVER, conf]);
    } finally {
      server.kill('SIGKILL');
    }
  });
});
