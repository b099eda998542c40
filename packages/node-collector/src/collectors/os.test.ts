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
});
