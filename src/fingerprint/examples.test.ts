import { describe, expect, it } from "vitest";
import { corpusRecord, loadCorpusExamples, loadRecordExamples, replyOf } from "./examples.js";
import { extractFeatures } from "./features.js";
import { loadModel } from "./model.js";

describe("the labelled corpus (rules/examples)", () => {
  it("parses every line, each with a source, and every record fixture", () => {
    const corpus = loadCorpusExamples();
    for (const e of corpus) expect(e.source).toMatch(/^[a-z]+: \S/);
    expect(() => loadRecordExamples()).not.toThrow();
  });

  it("turns a line into the record a grab would have made", () => {
    const record = corpusRecord({
      protocol: "smtp",
      product: "Sendmail",
      version: "8.14.4",
      source: "doc: test",
      banner: "220 mx.example.com ESMTP Sendmail 8.14.4/8.14.4; Mon, 3 Jan 2011 10:00:00 +0100",
      ehlo: ["mx.example.com Hello [192.0.2.9], pleased to meet you", "ENHANCEDSTATUSCODES", "PIPELINING"],
      help: ["214-2.0.0 This is sendmail version 8.14.4", "214 2.0.0 End of HELP info"],
    });
    const features = extractFeatures(record);
    expect(features.get("banner")).toBe("220 <host> ESMTP Sendmail 8.14.4/8.14.4; <date>");
    expect(features.get("ehlo.keywords")).toBe("ENHANCEDSTATUSCODES PIPELINING");
    expect(features.get("help")).toBe(
      "214 2.0.0 This is sendmail version 8.14.4\n214 2.0.0 End of HELP info",
    );
    expect(replyOf(["250 2.0.0 Ok"]).enhanced).toBe("2.0.0");
    const ssh = corpusRecord({
      protocol: "ssh",
      product: "OpenSSH",
      version: "7.4p1",
      source: "doc: t",
      banner: "SSH-2.0-OpenSSH_7.4p1",
    });
    expect(extractFeatures(ssh).get("hint")).toBe("OpenSSH");
  });

  it("keeps rules/model.json trained on the rules as they are (npm run train)", () => {
    expect(() => loadModel()).not.toThrow();
  });
});
