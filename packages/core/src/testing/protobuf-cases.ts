/** Test data for the protobuf decoder's tests: families of every type, with the values that try a codec. */
import type { MetricFamily } from "../exposition/model.ts";
import { parseText } from "../exposition/parse.ts";

export const FAMILIES: MetricFamily[] = parseText(
  [
    "# HELP jobs_total Jobs, with a \\\\ and a\\nnewline.",
    "# TYPE jobs_total counter",
    'jobs_total{queue="default",path="C:\\\\x",msg="say \\"hi\\""} 1027',
    'jobs_total{queue="ü→"} 0',
    "# HELP temp Temperature.",
    "# TYPE temp gauge",
    "temp NaN",
    'temp{x="1"} -Inf',
    'temp{x="2"} 1.7976931348623157e+308',
    'temp{x="3"} 5e-324',
    "# TYPE lat histogram",
    'lat_bucket{le="0.1",a="1"} 1',
    'lat_bucket{a="1",le="1e+06"} 3',
    'lat_bucket{a="1",le="+Inf"} 4',
    'lat_sum{a="1"} 2.5',
    'lat_count{a="1"} 4',
    'lat_bucket{a="2",le="+Inf"} 0',
    'lat_sum{a="2"} 0',
    'lat_count{a="2"} 0',
    "# HELP rpc ",
    "# TYPE rpc summary",
    'rpc{quantile="0.5"} 0.25',
    'rpc{quantile="0.99"} NaN',
    "rpc_sum 9",
    "rpc_count 123456789012",
    "u 3",
    "",
  ].join("\n"),
);
