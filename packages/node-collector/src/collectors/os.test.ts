import { describe, expect, test } from "bun:test";
import { os } from "./os.ts";
import { collectText } from "../testing/golden.ts";

describe("os collector", () => {
  test("reads the fixture tree's values", async () => {
    const text = await collectText(os);
    expect(text).toContain(`node_os_info{build_id="",id="debian",id_like="",image_id="",image_version="",name="Debian GNU/Linux",pretty_name="Debian GNU/Linux 12 (bookworm)",variant="",variant_id="",version="12 (bookworm)",version_codename="bookworm",version_id="12"} 1`);
    expect(text).toContain(`node_os_version{id="debian",id_like="",name="Debian GNU/Linux"} 12`);
  });

  test("an os-release replaced by an upgrade is read anew", async () => {
    const { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } = await import("node:fs");
    const root = mkdtempSync("/tmp/os-release-");
    mkdirSync(root + "/etc");
    writeFileSync(root + "/etc/os-release", 'ID=debian\nVERSION_ID="12"\n');
    const paths = { rootfs: root };
    expect(await collectText(os, { paths })).toContain(`node_os_version{id="debian",id_like="",name=""} 12\n`);
    expect(await collectText(os, { paths })).toContain(`node_os_version{id="debian",id_like="",name=""} 12\n`);
    writeFileSync(root + "/etc/os-release.new", 'ID=debian\nVERSION_ID="13"\n');
    renameSync(root + "/etc/os-release.new", root + "/etc/os-release");
    expect(await collectText(os, { paths })).toContain(`node_os_version{id="debian",id_like="",name=""} 13\n`);
    rmSync(root, { recursive: true });
  });

  test("SUPPORT_END is node_os_support_end_timestamp_seconds; a version that is not a number is no node_os_version, as in 1.8.2", async () => {
    const { mkdirSync, mkdtempSync, rmSync, writeFileSync } = await import("node:fs");
    const root = mkdtempSync("/tmp/os-release-");
    mkdirSync(root + "/etc");
    writeFileSync(root + "/etc/os-release", 'ID=fedora\nVERSION_ID=rawhide\nSUPPORT_END=2025-05-13\n');
    const text = await collectText(os, { paths: { rootfs: root } });
    expect(text).toContain("node_os_support_end_timestamp_seconds 1.7470944e+09\n");
    expect(text).not.toContain("node_os_version");
    writeFileSync(root + "/etc/os-release", 'ID=fedora\nVERSION_ID=40\nSUPPORT_END=2025-13-45\n');
    await expect(collectText(os, { paths: { rootfs: root } })).rejects.toThrow("SUPPORT_END");
    rmSync(root, { recursive: true });
  });
});
