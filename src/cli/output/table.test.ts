import { describe, expect, it } from "vitest";
import { createColors } from "./colors.js";
import { renderTable } from "./table.js";

describe("renderTable", () => {
  it("aligns columns two spaces apart and trims line ends", () => {
    expect(
      renderTable(
        ["NAME", "ENVIRONMENTS", "UPDATED"],
        [
          ["web", "staging, production", "5m ago"],
          ["payments-api", "-", "2d ago"],
        ],
      ),
    ).toBe(
      [
        "NAME          ENVIRONMENTS         UPDATED",
        "web           staging, production  5m ago",
        "payments-api  -                    2d ago",
      ].join("\n"),
    );
  });

  it("measures coloured cells by what is visible", () => {
    const colors = createColors(true);
    const lines = renderTable(["A", "B"], [[colors.red("xx"), "y"]], colors).split("\n");
    expect(lines[1]).toBe(`${colors.red("xx")}  y`);
    expect(lines[0]).toBe(colors.dim("A   B"));
  });

  it("counts wide characters by code point", () => {
    expect(renderTable(["N", "X"], [["é…", "1"]])).toBe("N   X\né…  1");
  });
});
