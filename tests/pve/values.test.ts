/** Sizes, tags, booleans and numbers as PVE writes them (src/pve). */
import { parseBool, printBool, toNumber } from "../../src/pve/scalars.js";
import { GIB, parseSize, printSize } from "../../src/pve/size.js";
import { parseTags, printTags, splitList, uniqueTags } from "../../src/pve/tags.js";
import { pveFixture } from "../helpers/fixtures.js";

const MIB = 1024 ** 2;

describe("sizes", () => {
  test.each([
    ["2G", 2 * GIB],
    ["1032M", 1032 * MIB],
    ["4M", 4 * MIB],
    ["1T", 1024 * GIB],
    ["1.5G", 1.5 * GIB],
    ["512K", 512 * 1024],
    ["4096", 4096],
    ["0", 0],
  ])("parseSize(%j) = %d bytes", (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
    expect(parseSize(text, { strict: true })).toBe(bytes);
  });

  test("not a size: undefined", () => {
    for (const text of ["", "G", "32GB", "-1G", "+1G", "1,5G", "abc"]) expect(parseSize(text)).toBeUndefined();
    expect(parseSize(undefined)).toBeUndefined();
  });

  test("reading is lenient about spaces and lower-case units; strict is exactly PVE's disk-size", () => {
    expect(parseSize(" 8g ")).toBe(8 * GIB);
    expect(parseSize("8g", { strict: true })).toBeUndefined();
    expect(parseSize(" 8G", { strict: true })).toBeUndefined();
  });

  test("fractions of a byte are floored", () => {
    expect(parseSize("1.5")).toBe(1);
    expect(parseSize("0.1K")).toBe(102);
  });

  test.each([
    [32 * GIB, "32G"],
    [1032 * MIB, "1032M"],
    [4 * MIB, "4M"],
    [2048 * GIB, "2T"],
    [1536, "1536"],
    [1536 * MIB, "1536M"],
    [0, "0"],
    [1024.9, "1K"],
  ])("printSize(%d) = %j", (bytes, text) => {
    expect(printSize(bytes)).toBe(text);
  });

  test("recorded sizes round-trip: printSize(parseSize(s)) === s", () => {
    const recorded = ["qemu_config.fog.json", "qemu_config_template.fog.json", "qemu_config_cloudinit.goproxmox.json", "lxc_config.fog.json", "lxc_config.goproxmox.json"]
      .flatMap((name) => Object.values(pveFixture<{ data: Record<string, unknown> }>(name).data))
      .flatMap((v) => (typeof v === "string" ? [...v.matchAll(/(?:^|,)size=([^,]+)/g)].map((m) => m[1]) : []));
    expect(recorded).toEqual(expect.arrayContaining(["2G", "1G", "32G", "64G", "1032M", "30G"]));
    for (const size of recorded) expect(printSize(parseSize(size)!)).toBe(size);
  });
});

describe("tags and lists", () => {
  test("split_list: ';', ',' and spaces, empty items dropped", () => {
    expect(splitList("a;b")).toEqual(["a", "b"]);
    expect(splitList(" a, b  c;;d ")).toEqual(["a", "b", "c", "d"]);
    expect(splitList("")).toEqual([]);
  });

  test("recorded tags: parse, and print back as PVE stored them", () => {
    const resources = ["cluster_resources.datadog.json", "cluster_resources.goproxmox.json"].flatMap((name) => pveFixture<{ data: { tags?: string }[] }>(name).data);
    const recorded = [
      String(pveFixture<{ data: { tags: string } }>("lxc_config.goproxmox.json").data.tags),
      String(pveFixture<{ data: { tags: string } }>("qemu_config_cloudinit.goproxmox.json").data.tags),
      ...resources.flatMap((r) => (r.tags ? [r.tags] : [])),
    ];
    expect(recorded).toEqual(expect.arrayContaining(["tag1;tag2", "production;webserver", "sarah-wiit;test;testtag", "go-proxmox+cloud-init"]));
    for (const tags of recorded) expect(printTags(parseTags(tags))).toBe(tags);
    expect(parseTags("tag1;tag2")).toEqual(["tag1", "tag2"]);
  });

  test("parseTags of anything but a string is []", () => {
    expect(parseTags(undefined)).toEqual([]);
    expect(parseTags(null)).toEqual([]);
    expect(parseTags(3)).toEqual([]);
    expect(parseTags("  ")).toEqual([]);
  });

  test("printTags: de-duplicated case-insensitively (first spelling kept), sorted, joined with ';'", () => {
    expect(printTags(["web", "prod", "Web", "db", "prod"])).toBe("db;prod;web");
    expect(uniqueTags(["b", "A", "a"])).toEqual(["A", "b"]);
    expect(printTags([])).toBe("");
    expect(parseTags(printTags(["z", "a"]))).toEqual(["a", "z"]);
  });
});

describe("booleans and numbers", () => {
  test.each([
    [1, true], [0, false], ["1", true], ["0", false], [true, true], [false, false],
    ["on", true], ["off", false], ["yes", true], ["no", false], ["true", true], ["false", false], ["ON", true], ["False", false],
  ])("parseBool(%j) = %s", (value, flag) => {
    expect(parseBool(value)).toBe(flag);
    expect(parseBool(printBool(flag))).toBe(flag);
  });

  test("anything else is not a boolean", () => {
    for (const value of [2, -1, "", "2", "enabled", " 1", undefined, null, {}]) expect(parseBool(value)).toBeUndefined();
  });

  test("printBool writes 1/0", () => {
    expect([printBool(true), printBool(false)]).toEqual(["1", "0"]);
  });

  test("toNumber reads numbers and numeric strings (PVE 6 sends vmids as strings)", () => {
    expect(pveFixture<{ data: { vmid: unknown }[] }>("node_qemu.fog.json").data.map((e) => toNumber(e.vmid)).every((n) => typeof n === "number")).toBe(true);
    expect([toNumber(5), toNumber("100"), toNumber("1.5"), toNumber(""), toNumber(" "), toNumber("x"), toNumber(null), toNumber(NaN)]).toEqual([5, 100, 1.5, undefined, undefined, undefined, undefined, undefined]);
  });
});
