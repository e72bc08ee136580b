// A server of the check's own: a check with `server: { env }` runs against
// a fresh process of the binary under test (E2E_BIN, set by
// scripts/e2e.sh) with an empty data directory and the extra environment,
// e.g. TOOLBOX_TIME_TRAVEL=on, so that what it changes (the clock) does
// not reach the other checks.
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export async function startOwnServer(env = {}) {
  const bin = process.env.E2E_BIN;
  if (!bin) throw new Error("this check starts its own server: set E2E_BIN to the toolbox binary (scripts/e2e.sh does)");
  const dir = await mkdtemp(path.join(os.tmpdir(), "toolbox-e2e-own-"));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let log = "";
  const child = spawn(bin, [], {
    env: { ...process.env, TOOLBOX_ADDR: `127.0.0.1:${port}`, TOOLBOX_DATA_DIR: path.join(dir, "data"), TOOLBOX_METRICS_ADDR: "", TOOLBOX_OUTCOMES_EVERY: "2s", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const keep = (b) => { log = (log + b.toString()).slice(-20000); };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  let exited = false;
  child.on("exit", () => { exited = true; });
  const stop = async () => {
    if (!exited) {
      child.kill("SIGTERM");
      await new Promise((r) => { const t = setTimeout(() => { child.kill("SIGKILL"); r(); }, 10_000); child.on("exit", () => { clearTimeout(t); r(); }); });
    }
    await rm(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 240; i++) {
    if (exited) break;
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return { url, stop, log: () => log };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  await stop();
  throw new Error(`the check's own server did not become healthy:\n${log.split("\n").slice(-15).join("\n")}`);
}
