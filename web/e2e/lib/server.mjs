// Starts a real vigil server on a fresh data directory and a free port, for the browser tests.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, openSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * Spawns `vigil serve` and waits until it writes its port. Returns { baseUrl, stop, log }.
 * The binary is $VIGIL_BIN or <repo>/build/release/vigil; the UI is <repo>/web/dist.
 * `env` adds variables for the server (e.g. VIGIL_WEBMON_RELOAD_SECONDS).
 */
export async function startServer({ adminPassword, timeoutMs = 30_000, env = {} }) {
  const bin = process.env.VIGIL_BIN || join(REPO, 'build/release/vigil');
  const webRoot = join(REPO, 'web/dist');
  if (!existsSync(bin)) throw new Error(`vigil binary not found at ${bin} (build it, or set VIGIL_BIN)`);
  if (!existsSync(join(webRoot, 'index.html'))) {
    throw new Error(`${webRoot}/index.html is missing: run "npm ci && npm run build" in web/ first`);
  }
  const tmp = mkdtempSync(join(tmpdir(), 'vigil-e2e-'));
  const dataDir = join(tmp, 'data');
  const portFile = join(tmp, 'port');
  const logFile = join(tmp, 'server.log');
  const logFd = openSync(logFile, 'a');
  const child = spawn(
    bin,
    ['serve', '--data-dir', dataDir, '--listen', '127.0.0.1:0', '--port-file', portFile, '--web-root', webRoot],
    {
      env: {
        ...process.env,
        VIGIL_ADMIN_PASSWORD: adminPassword,
        VIGIL_AUTH_ARGON2_MEMLIMIT_KIB: '8192',
        VIGIL_AUTH_ARGON2_OPSLIMIT: '1',
        ...env,
      },
      stdio: ['ignore', logFd, logFd],
    },
  );
  closeSync(logFd);
  let exited = null;
  child.on('exit', (code, signal) => {
    exited = { code, signal };
  });
  const log = () => {
    try {
      return readFileSync(logFile, 'utf8');
    } catch {
      return '';
    }
  };

  const deadline = Date.now() + timeoutMs;
  let port = null;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`vigil exited early (${JSON.stringify(exited)}):\n${log()}`);
    if (existsSync(portFile)) {
      const text = readFileSync(portFile, 'utf8').trim();
      if (/^\d+$/.test(text)) {
        port = Number(text);
        break;
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  if (!port) {
    child.kill('SIGKILL');
    throw new Error(`vigil did not write ${portFile} within ${timeoutMs} ms:\n${log()}`);
  }

  const stop = async () => {
    if (!exited) {
      child.kill('SIGTERM');
      const until = Date.now() + 5000;
      while (!exited && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      if (!exited) child.kill('SIGKILL');
    }
    rmSync(tmp, { recursive: true, force: true });
  };
  return { baseUrl: `http://127.0.0.1:${port}`, stop, log };
}
