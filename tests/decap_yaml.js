// What Decap CMS 3.16 writes for an entry, computed by the libraries it bundles (yaml 1.10, gray-matter 4), for
// tests/test_editor_form.py to compare factcheck/yamlform.py with. The functions are Decap's own
// (decap-cms-core/src/formats/yaml.ts toFile and frontmatter.ts toFile), without comments, which we never write.
// Reads a JSON list of {data, body?} from standard input; writes a JSON list of file texts.
"use strict";
const yaml = require("yaml");
const matter = require("gray-matter");

function toFile(data) {
  const contents = yaml.createNode(data);
  const doc = new yaml.Document();
  doc.contents = contents;
  return doc.toString();
}

function frontMatterToFile(data, body) {
  const trimLastLineBreak = body.slice(-1) !== "\n";
  const file = matter.stringify(body, data, {
    engines: { yaml: { parse: () => ({}), stringify: (meta) => toFile(meta) } },
    language: "yaml",
    delimiters: "---",
  });
  return trimLastLineBreak && file.slice(-1) === "\n" ? file.slice(0, -1) : file;
}

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const out = JSON.parse(input).map(({ data, body }) => {
    // backend.entryToRaw adds the final line break when the formatter left none.
    const text = body === undefined ? toFile(data) : frontMatterToFile(data, body);
    return text.slice(-1) === "\n" ? text : text + "\n";
  });
  process.stdout.write(JSON.stringify(out));
});
