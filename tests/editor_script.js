// Runs the web editor's script (templates/admin/editor.js) under Node for tests/test_editor_script.py.
// Reads {normalise: [text], occurrences: [[quote, paragraphs]], checks: [[quote, occurrence, article]],
// tidy: [[data, shape]], textOrObject: [[value, textField, key, part]], textOrObjectProblem: [[value, textField,
// parts]]} from standard input and writes the same keys with the script's answers.
"use strict";
const path = require("path");
const { fromJS, Map } = require("immutable");
const editor = require(path.join(__dirname, "..", "templates", "admin", "editor.js"));

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const cases = JSON.parse(input);
  process.stdout.write(JSON.stringify({
    normalise: cases.normalise.map((text) => editor.normalise(text)),
    occurrences: cases.occurrences.map(([quote, paragraphs]) => editor.occurrences(quote, paragraphs)),
    checks: cases.checks.map(([quote, occurrence, article]) => editor.quoteCheck(quote, occurrence, article).state),
    // Entries reach the script as Decap holds them: Immutable maps (hash-ordered past eight keys).
    tidy: cases.tidy.map(([data, shape]) => editor.tidy(fromJS(data), shape).toJS()),
    textOrObject: cases.textOrObject.map(([value, textField, key, part]) => {
      const result = editor.textOrObject(fromJS(value), textField, key, part, Map());
      return typeof result === "string" ? result : result.toJS();
    }),
    textOrObjectProblem: cases.textOrObjectProblem.map(([value, textField, parts]) =>
      editor.textOrObjectProblem(fromJS(value), textField, parts)),
  }));
});
