/** node_dmi_info from /sys/class/dmi/id (node_exporter's dmi collector). */
import { join } from "node:path";
import { defineCollector, NoDataError } from "../collector.ts";
import { readAttr } from "../read.ts";
import { utf8Label } from "../utf8.ts";

/** Label name -> file under /sys/class/dmi/id. */
const FIELDS: [label: string, file: string][] = [
  ["bios_date", "bios_date"],
  ["bios_release", "bios_release"],
  ["bios_vendor", "bios_vendor"],
  ["bios_version", "bios_version"],
  ["board_asset_tag", "board_asset_tag"],
  ["board_name", "board_name"],
  ["board_serial", "board_serial"],
  ["board_vendor", "board_vendor"],
  ["board_version", "board_version"],
  ["chassis_asset_tag", "chassis_asset_tag"],
  ["chassis_serial", "chassis_serial"],
  ["chassis_vendor", "chassis_vendor"],
  ["chassis_version", "chassis_version"],
  ["product_family", "product_family"],
  ["product_name", "product_name"],
  ["product_serial", "product_serial"],
  ["product_sku", "product_sku"],
  ["product_uuid", "product_uuid"],
  ["product_version", "product_version"],
  ["system_vendor", "sys_vendor"],
];

const HELP =
  "A metric with a constant '1' value labeled by bios_date, bios_release, bios_vendor, bios_version, " +
  "board_asset_tag, board_name, board_serial, board_vendor, board_version, chassis_asset_tag, " +
  "chassis_serial, chassis_vendor, chassis_version, product_family, product_name, product_serial, " +
  "product_sku, product_uuid, product_version, system_vendor if provided by DMI.";

function dmiLabels(sysfs: string): Record<string, string> {
  const labels: Record<string, string> = {};
  const dir = join(sysfs, "class", "dmi", "id");
  // Unreadable attributes (serials are root-only) are left out, not reported empty.
  for (const [label, file] of FIELDS) {
    const v = readAttr(join(dir, file));
    if (v !== null) labels[label] = utf8Label(v);
  }
  return labels;
}

export const dmi = defineCollector({
  name: "dmi",
  defaultEnabled: true,
  create({ paths }) {
    /** DMI data does not change until reboot, so it is read once, at the first scrape, as node_exporter does at start. */
    let labels: Record<string, string> | undefined;
    return {
      collect(out) {
        labels ??= dmiLabels(paths.sysfs);
        if (Object.keys(labels).length === 0) throw new NoDataError(join(paths.sysfs, "class", "dmi", "id"));
        out.gauge("node_dmi_info", HELP, 1, labels);
      },
    };
  },
});
