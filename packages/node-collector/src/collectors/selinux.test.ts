import { describe, expect, test } from "bun:test";
import { selinux } from "./selinux.ts";
import { collectText } from "../testing/golden.ts";

describe("selinux collector", () => {
  test("reports configured (permissive) and current (enforcing) modes when SELinux is on", async () => {
    const text = await collectText(selinux);
    expect(text).toContain("node_selinux_enabled 1\n");
    expect(text).toContain("node_selinux_config_mode 0\n");
    expect(text).toContain("node_selinux_current_mode 1\n");
  });

  test("without selinuxfs only node_selinux_enabled 0 is reported, as node_exporter does", async () => {
    expect(await collectText(selinux, { paths: { sysfs: "/nonexistent" } })).toBe(
      "# HELP node_selinux_enabled SELinux is enabled, 1 is true, 0 is false\n# TYPE node_selinux_enabled gauge\nnode_selinux_enabled 0\n",
    );
  });
});
