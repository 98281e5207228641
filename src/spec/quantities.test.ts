import { describe, expect, it } from "vitest";
import { cpuFromNumber, parseCpuQuantity, parseMemoryQuantity } from "./quantities.js";

describe("parseMemoryQuantity", () => {
  it.each([
    ["256Mi", 268_435_456],
    ["1Gi", 1_073_741_824],
    ["512M", 512_000_000],
    ["1G", 1_000_000_000],
    ["64Ki", 65_536],
    ["100k", 100_000],
    ["1.5Gi", 1_610_612_736],
    ["0.5Mi", 524_288],
    ["1Ti", 2 ** 40],
    ["0Mi", 0],
  ])("reads %s as %i bytes", (text, bytes) => {
    expect(parseMemoryQuantity(text)).toBe(bytes);
  });

  it.each([
    ["256MB", "a byte suffix"],
    ["1GB", "a byte suffix"],
    ["-1Gi", "a negative"],
    ["1.5.2Gi", "two decimal points"],
    ["1.5.2", "no unit"],
    ["1024", "a bare number (bytes are never what people mean)"],
    ["1K", "upper-case k"],
    ["1mi", "lower-case unit"],
    ["1m", "milli"],
    [".5Gi", "no leading digit"],
    ["1e3M", "an exponent"],
    ["1 Gi", "a space"],
    ["", "empty"],
    ["999999Ei", "an overflowing value"],
  ])("rejects %j (%s)", (text) => {
    expect(parseMemoryQuantity(text)).toBeUndefined();
  });
});

describe("parseCpuQuantity", () => {
  it.each([
    ["0.5", 0.5],
    ["2", 2],
    ["500m", 0.5],
    ["100m", 0.1],
    ["1500m", 1.5],
    ["0.25", 0.25],
    ["0.001", 0.001],
  ])("reads %s as %f cores", (text, cores) => {
    expect(parseCpuQuantity(text)).toBe(cores);
  });

  it.each(["1.5.2", "-1", "0.0001", "500.5m", "1 core", "m", "", "2c", "1e3"])("rejects %j", (text) => {
    expect(parseCpuQuantity(text)).toBeUndefined();
  });

  it("accepts YAML numbers with at most millicore precision", () => {
    expect(cpuFromNumber(0.5)).toBe(0.5);
    expect(cpuFromNumber(2)).toBe(2);
    expect(cpuFromNumber(0.1)).toBe(0.1);
    expect(cpuFromNumber(0.0001)).toBeUndefined();
    expect(cpuFromNumber(-1)).toBeUndefined();
  });
});
