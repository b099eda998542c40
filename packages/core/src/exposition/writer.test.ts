import { describe, expect, test } from "bun:test";
import { formatValue, renderHeader, renderSampleLine } from "./render.ts";
import { MetricSet } from "./writer.ts";

describe("renderHeader", () => {
  test("escapes backslashes and newlines in the help text, as Prometheus does", () => {
    expect(renderHeader("a_total", "counter", "line one\nC:\\dir")).toBe("# HELP a_total line one\\nC:\\\\dir\n# TYPE a_total counter\n");
    expect(renderHeader("b", "gauge", undefined)).toBe("# TYPE b gauge\n");
  });

  test("a name seen before with another type or help gets the new header, not the remembered one", () => {
    expect(renderHeader("header_reuse", "gauge", "first")).toBe("# HELP header_reuse first\n# TYPE header_reuse gauge\n");
    expect(renderHeader("header_reuse", "gauge", "first")).toBe("# HELP header_reuse first\n# TYPE header_reuse gauge\n");
    expect(renderHeader("header_reuse", "counter", "first")).toBe("# HELP header_reuse first\n# TYPE header_reuse counter\n");
    expect(renderHeader("header_reuse", "counter", "second")).toBe("# HELP header_reuse second\n# TYPE header_reuse counter\n");
    expect(renderHeader("header_reuse", "counter", undefined)).toBe("# TYPE header_reuse counter\n");
  });
});

describe("sample lines", () => {
  test("labels escaped, values in Prometheus' spelling", () => {
    expect(renderSampleLine("m", { path: 'C:\\x "y"\n' }, 1.5)).toBe('m{path="C:\\\\x \\"y\\"\\n"} 1.5\n');
    expect([NaN, Infinity, -Infinity, 42, 0.1].map(formatValue)).toEqual(["NaN", "+Inf", "-Inf", "42", "0.1"]);
  });

  test("values in Go's strconv 'g' shortest form: exponent below -4 or from 6 up, two exponent digits at least", () => {
    // Expected strings printed by Go 1.x strconv.FormatFloat(v, 'g', -1, 64); -0 is "0" as expfmt writes it.
    const cases: [number, string][] = [
      [-0, "0"],
      [999999, "999999"],
      [1e6, "1e+06"],
      [1418183276, "1.418183276e+09"],
      [123456.5, "123456.5"],
      [0.0001, "0.0001"],
      [0.00009, "9e-05"],
      [1.305e-6, "1.305e-06"],
      [-2.5e-10, "-2.5e-10"],
      [12345678901234567890, "1.2345678901234567e+19"],
      [1.5e300, "1.5e+300"],
      [5e-324, "5e-324"],
    ];
    expect(cases.map(([v]) => formatValue(v))).toEqual(cases.map(([, s]) => s));
  });
});

describe("MetricSet", () => {
  test("adding to a family that exists appends to it; render is in name order, one header per family", () => {
    const set = new MetricSet();
    set.gauge("z_last", "Z.", 1);
    set.counter("a_first_total", "A.", 2, { k: "1" });
    set.counter("a_first_total", "A.", 3, { k: "2" });
    expect(set.get("a_first_total")?.size).toBe(2);
    expect(set.get("missing")).toBeUndefined();
    expect(set.render()).toBe(
      '# HELP a_first_total A.\n# TYPE a_first_total counter\na_first_total{k="1"} 2\na_first_total{k="2"} 3\n' + "# HELP z_last Z.\n# TYPE z_last gauge\nz_last 1\n",
    );
  });
});

describe("FamilyBuilder values", () => {
  test("toFamily gives the samples as values in series order, and a render after an add includes it", () => {
    const set = new MetricSet();
    const f = set.family("disk_bytes", "counter", "D.");
    f.add(2, { device: "sdb" });
    expect(f.render()).toBe('# HELP disk_bytes D.\n# TYPE disk_bytes counter\ndisk_bytes{device="sdb"} 2\n');
    f.add(1, { device: "sda" });
    expect(f.toFamily()).toEqual({
      name: "disk_bytes",
      type: "counter",
      help: "D.",
      samples: [
        { name: "disk_bytes", labels: { device: "sda" }, value: 1 },
        { name: "disk_bytes", labels: { device: "sdb" }, value: 2 },
      ],
    });
    expect(f.render()).toBe('# HELP disk_bytes D.\n# TYPE disk_bytes counter\ndisk_bytes{device="sda"} 1\ndisk_bytes{device="sdb"} 2\n');
  });

  test("a label name that is not classic is quoted, as expfmt writes UTF-8 names", () => {
    expect(renderSampleLine("m", { "dotted.name": "v", plain: "w" }, 1)).toBe('m{"dotted.name"="v",plain="w"} 1\n');
  });
});

describe("client_golang's order", () => {
  test("label names are written sorted, whatever order the object has", () => {
    expect(renderSampleLine("m", { device: "sda", a: "x", z: "y" }, 1)).toBe('m{a="x",device="sda",z="y"} 1\n');
  });

  test("series are sorted by label values in label-name order; a value that is a prefix sorts first", () => {
    const set = new MetricSet();
    const f = set.family("hw_temp", "gauge", "T.");
    f.add(1, { sensor: "temp1", chip: "b" });
    f.add(2, { chip: "a", sensor: "temp10" });
    f.add(3, { chip: "a", sensor: "temp1 x" });
    f.add(4, { chip: "a", sensor: "temp1" });
    expect(set.render()).toBe(
      "# HELP hw_temp T.\n# TYPE hw_temp gauge\n" +
        'hw_temp{chip="a",sensor="temp1"} 4\nhw_temp{chip="a",sensor="temp1 x"} 3\nhw_temp{chip="a",sensor="temp10"} 2\nhw_temp{chip="b",sensor="temp1"} 1\n',
    );
  });

  test("labels given out of name order sort by the first name in order, not the first in the object", () => {
    const set = new MetricSet();
    const f = set.family("bc", "counter", "B.");
    f.add(1, { uuid: "a", backing_device: "z" });
    f.add(2, { uuid: "b", backing_device: "y" });
    expect(set.render()).toBe('# HELP bc B.\n# TYPE bc counter\nbc{backing_device="y",uuid="b"} 2\nbc{backing_device="z",uuid="a"} 1\n');
  });

  test("a histogram's parts stay together and in the order added", () => {
    const set = new MetricSet();
    const h = set.family("lat", "histogram", "L.");
    for (const [job, n] of [["z", 2], ["a", 1]] as const) {
      h.add(n, { job, le: "1" }, "_bucket");
      h.add(n, { job, le: "+Inf" }, "_bucket");
      h.add(n, { job }, "_sum");
    }
    expect(set.render()).toBe(
      "# HELP lat L.\n# TYPE lat histogram\n" +
        'lat_bucket{job="a",le="1"} 1\nlat_bucket{job="a",le="+Inf"} 1\nlat_sum{job="a"} 1\n' +
        'lat_bucket{job="z",le="1"} 2\nlat_bucket{job="z",le="+Inf"} 2\nlat_sum{job="z"} 2\n',
    );
  });

  test("forEachSample visits what render() writes, in its order: families by name, series sorted, parts together", () => {
    const set = new MetricSet();
    const h = set.family("lat", "histogram", "L.");
    h.add(2, { job: "z", le: "+Inf" }, "_bucket").add(2, { job: "z" }, "_sum");
    h.add(1, { job: "a", le: "+Inf" }, "_bucket").add(1, { job: "a" }, "_sum");
    set.gauge("a_first", "A.", 5);
    const visited: string[] = [];
    set.forEachSample((name, labels, value) => visited.push(`${name} ${labels.join(",")} ${value}`));
    expect(visited).toEqual(["a_first  5", "lat_bucket job,a,le,+Inf 1", "lat_sum job,a 1", "lat_bucket job,z,le,+Inf 2", "lat_sum job,z 2"]);
    expect(set.render()).toContain('lat_bucket{job="a",le="+Inf"} 1\nlat_sum{job="a"} 1\nlat_bucket{job="z"');
  });

  test("adopt() adds a family built in another set unless one of that name is there", () => {
    const a = new MetricSet();
    const b = new MetricSet();
    a.gauge("g", "A.", 1);
    b.gauge("g", "B.", 2);
    b.gauge("h", "H.", 3);
    expect(a.adopt(b.take("g")!)).toBe(false);
    expect(a.adopt(b.take("h")!)).toBe(true);
    expect(a.render()).toBe("# HELP g A.\n# TYPE g gauge\ng 1\n# HELP h H.\n# TYPE h gauge\nh 3\n");
  });
});
