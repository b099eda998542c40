/**
 * Test support: unmounts `mountpoint`, trying `tries` times 100 ms apart while something holds it busy, then
 * detaches it lazily, so a test's mount never outlives the test (a busy one once failed the images' removal).
 */
export function unmount(mountpoint: string, tries = 1): void {
  for (let i = 0; i < tries; i++) {
    if (Bun.spawnSync(["umount", mountpoint], { stderr: "ignore" }).exitCode === 0) return;
    if (i + 1 < tries) Bun.sleepSync(100);
  }
  Bun.spawnSync(["umount", "-l", mountpoint], { stderr: "ignore" });
}
