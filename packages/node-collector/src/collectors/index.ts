/** Every collector the node role knows, one per line; each file registers its name and default. */
import type { Collector } from "../collector.ts";
import { conntrack } from "./conntrack.ts";
import { cpu } from "./cpu.ts";
import { diskstats } from "./diskstats.ts";
import { entropy } from "./entropy.ts";
import { filefd } from "./filefd.ts";
import { filesystem } from "./filesystem.ts";
import { loadavg } from "./loadavg.ts";
import { lustre } from "./lustre.ts";
import { meminfo } from "./meminfo.ts";
import { netclass } from "./netclass.ts";
import { netdev } from "./netdev.ts";
import { netstat } from "./netstat.ts";
import { os } from "./os.ts";
import { pressure } from "./pressure.ts";
import { schedstat } from "./schedstat.ts";
import { sockstat } from "./sockstat.ts";
import { softnet } from "./softnet.ts";
import { stat } from "./stat.ts";
import { time } from "./time.ts";
import { timex } from "./timex.ts";
import { udp_queues } from "./udp_queues.ts";
import { uname } from "./uname.ts";
import { vmstat } from "./vmstat.ts";
import { dmi } from "./dmi.ts";
import { edac } from "./edac.ts";
import { fibrechannel } from "./fibrechannel.ts";
import { infiniband } from "./infiniband.ts";
import { ipvs } from "./ipvs.ts";
import { cpufreq } from "./cpufreq.ts";
import { hwmon } from "./hwmon.ts";
import { interrupts } from "./interrupts.ts";
import { processes } from "./processes.ts";
import { tcpstat } from "./tcpstat.ts";
import { systemd } from "./systemd.ts";
import { textfile } from "./textfile.ts";
import { thermal_zone } from "./thermal_zone.ts";
import { mdadm } from "./mdadm.ts";
import { gpu } from "./gpu.ts";
import { nfs } from "./nfs.ts";
import { nfsd } from "./nfsd.ts";
import { nvme } from "./nvme.ts";
import { powersupplyclass } from "./powersupplyclass.ts";
import { rapl } from "./rapl.ts";
import { selinux } from "./selinux.ts";
import { tapestats } from "./tapestats.ts";
import { watchdog } from "./watchdog.ts";
import { xfs } from "./xfs.ts";
import { zfs } from "./zfs.ts";
import { arp } from "./arp.ts";
import { bcache } from "./bcache.ts";
import { bonding } from "./bonding.ts";
import { btrfs } from "./btrfs.ts";
import { buddyinfo } from "./buddyinfo.ts";
import { cgroups } from "./cgroups.ts";
import { cpu_vulnerabilities } from "./cpu_vulnerabilities.ts";
import { drbd } from "./drbd.ts";
import { drm } from "./drm.ts";
import { ksmd } from "./ksmd.ts";
import { lnstat } from "./lnstat.ts";
import { meminfo_numa } from "./meminfo_numa.ts";
import { mountstats } from "./mountstats.ts";
import { ntp } from "./ntp.ts";
import { runit } from "./runit.ts";
import { supervisord } from "./supervisord.ts";
import { slabinfo } from "./slabinfo.ts";
import { softirqs } from "./softirqs.ts";
import { sysctl } from "./sysctl.ts";
import { xfrm } from "./xfrm.ts";
import { zoneinfo } from "./zoneinfo.ts";
import { network_route } from "./network_route.ts";
import { qdisc } from "./qdisc.ts";
import { wifi } from "./wifi.ts";
import { ethtool } from "./ethtool.ts";
import { logind } from "./logind.ts";
import { perf } from "./perf.ts";

export const allCollectors: Collector[] = [
  conntrack,
  cpu,
  diskstats,
  entropy,
  filefd,
  filesystem,
  loadavg,
  lustre,
  meminfo,
  netclass,
  netdev,
  netstat,
  os,
  pressure,
  schedstat,
  sockstat,
  softnet,
  stat,
  time,
  timex,
  udp_queues,
  uname,
  vmstat,
  dmi,
  edac,
  fibrechannel,
  infiniband,
  ipvs,
  cpufreq,
  hwmon,
  interrupts,
  processes,
  tcpstat,
  systemd,
  textfile,
  thermal_zone,
  mdadm,
  gpu,
  nfs,
  nfsd,
  nvme,
  powersupplyclass,
  rapl,
  selinux,
  tapestats,
  watchdog,
  xfs,
  zfs,
  arp,
  bcache,
  bonding,
  btrfs,
  buddyinfo,
  cgroups,
  cpu_vulnerabilities,
  drbd,
  drm,
  ksmd,
  lnstat,
  meminfo_numa,
  mountstats,
  ntp,
  runit,
  supervisord,
  slabinfo,
  softirqs,
  sysctl,
  xfrm,
  zoneinfo,
  network_route,
  qdisc,
  wifi,
  ethtool,
  logind,
  perf,
];
