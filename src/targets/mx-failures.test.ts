import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { InputError } from "../core/errors.js";
import { openFailureFile } from "./mx-failures.js";

it("writes failures as JSON Lines with the same keys on every line", async () => {
  const dir = await mkdtemp(join(tmpdir(), "smtpsurvey-failures-"));
  try {
    const path = join(dir, "failures.jsonl");
    const file = await openFailureFile(path);
    file.write({ domain: "example.com", reason: "nxdomain", detail: "ENOTFOUND example.com" });
    file.write({ domain: "example.org", mx: "mx.example.org", reason: "no-address" });
    await file.close();
    const lines = (await readFile(path, "utf8"))
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines).toEqual([
      { domain: "example.com", mx: null, reason: "nxdomain", detail: "ENOTFOUND example.com" },
      { domain: "example.org", mx: "mx.example.org", reason: "no-address", detail: null },
    ]);
    await expect(openFailureFile(join(dir, "no-such-dir", "f.jsonl"))).rejects.toThrow(InputError);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
