import { equal, ok, throws } from "node:assert/strict";
import { lockFilePath, SupAlreadyRunningError, SupLock } from "./sup_lock.ts";

Deno.test("the sup lock is exclusive, names the holder, and is free again once released", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = lockFilePath(`${dir}/config.ts-0000.json`);
    equal(path, `${dir}/config.ts-0000.json.lock`);
    const first = SupLock.acquire(path, "/etc/sup/config.ts");
    equal(Deno.readTextFileSync(path).trim(), String(Deno.pid), "the holder writes its pid");
    equal(Deno.statSync(path).mode! & 0o777, 0o600);
    throws(() => SupLock.acquire(path, "/etc/sup/config.ts"), (e) => {
      ok(e instanceof SupAlreadyRunningError);
      equal(e.pid, Deno.pid);
      ok(e.message.includes(`Another sup (pid ${Deno.pid}) is already running`), e.message);
      return true;
    });
    first.release();
    first.release();
    SupLock.acquire(path, "/etc/sup/config.ts").release();
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("the kernel drops the sup lock when its holder is killed", async () => {
  const dir = Deno.makeTempDirSync();
  const path = `${dir}/state.json.lock`;
  // Another process takes the lock with flock(2), as a sup would.
  const holder = new Deno.Command("/usr/bin/python3", {
    args: [
      "-c",
      "import fcntl,sys,time\nf=open(sys.argv[1],'a')\nfcntl.flock(f,fcntl.LOCK_EX)\n" +
      "print('locked',flush=True)\ntime.sleep(60)",
      path,
    ],
    stdout: "piped",
  }).spawn();
  try {
    const reader = holder.stdout.getReader();
    equal(new TextDecoder().decode((await reader.read()).value).trim(), "locked");
    reader.releaseLock();
    throws(() => SupLock.acquire(path, "/x/config.ts"), SupAlreadyRunningError);
    holder.kill("SIGKILL");
    await holder.status;
    SupLock.acquire(path, "/x/config.ts").release();
  } finally {
    try {
      holder.kill("SIGKILL");
    } catch {
      // gone
    }
    await holder.status;
    await holder.stdout.cancel().catch(() => {});
    Deno.removeSync(dir, { recursive: true });
  }
});
