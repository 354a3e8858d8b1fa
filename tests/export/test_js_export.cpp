#include <catch2/catch.hpp>

#include "export/js_export.h"
#include "export/verify.h"
#include "scenario/scenario.h"

using namespace elt::scenario;
using elt::exporter::export_js;

namespace {

Scenario parse(const std::string& program, const std::string& settings = R"~~({"model": "node"})~~") {
  return parse_scenario("{\"settings\": " + settings + ", \"program\": " + program + "}", "s.json", ".");
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("export-js writes each action as the JavaScript a person would write", "[export]") {
  auto q = export_js(parse(R"~~([
    {"print": "a `quoted` $${literal} \\ line"},
    {"set_timeout": 10, "id": "t1", "then": [{"print": "ten"}]},
    {"clear_timeout": "t1"},
    {"set_immediate": [{"print": "imm"}], "id": "im"},
    {"clear_immediate": "im"},
    {"next_tick": [{"print": "tick"}]},
    {"queue_microtask": [{"print": "micro"}]},
    {"set_interval": 20, "times": 3, "then": [{"print": "iv"}]},
    {"block": 5},
    {"repeat": 2, "as": "i", "do": [{"set_timeout": "${i}0", "then": [{"print": "t${i}"}]}]}
  ])~~"));
  const std::string& js = q.source;
  CHECK(has(js, "console.log(`a \\`quoted\\` \\${literal} \\\\ line`);"));
  CHECK(has(js, "let im, t1;"));
  CHECK(has(js, "t1 = setTimeout(() => {"));
  CHECK(has(js, "}, 10);"));
  CHECK(has(js, "clearTimeout(t1);"));
  CHECK(has(js, "im = setImmediate(() => {"));
  CHECK(has(js, "clearImmediate(im);"));
  CHECK(has(js, "process.nextTick(() => {"));
  CHECK(has(js, "queueMicrotask(() => {"));
  CHECK(has(js, "if (++runs1 === 3) clearInterval(interval1);"));
  CHECK(has(js, "block(5);"));
  CHECK(has(js, "function block(ms)"));
  CHECK(has(js, "for (let i = 0; i < 2; i++) {"));
  CHECK(has(js, "}, Number(`${i}0`));"));
  CHECK(q.approximations.empty());
  CHECK(q.unsupported.empty());
  CHECK(q.threads == 4);
}

TEST_CASE("export-js: promise chains, with the caught Error's message", "[export]") {
  auto p = export_js(parse(R"~~([
    {"promise": "reject", "value": "boom", "chain": [
      {"then": [{"print": "no"}]},
      {"catch": [{"print": "caught ${error} (${error.length})"}], "return": "ok"},
      {"then": [{"print": "after ${value}"}], "throw": "again ${value}"}
    ]}
  ])~~"));
  CHECK(has(p.source, "Promise.reject(new Error(`boom`))"));
  CHECK(has(p.source, ".catch((error) => {"));
  CHECK(has(p.source, "console.log(`caught ${error.message} (${Buffer.byteLength(error.message)})`);"));
  CHECK(has(p.source, "return `ok`;"));
  CHECK(has(p.source, "throw new Error(`again ${value}`);"));
}

TEST_CASE("export-js: pool work, files and HTTP, with what Node only approximates named", "[export]") {
  auto p = export_js(parse(R"~~([
    {"fs_read": "test.txt", "delay_ms": 100, "as": "text", "then": [
      {"print": "${text.length} bytes"},
      {"encrypt": "${text.length}", "cost_ms": 40, "as": "n", "then": [{"print": "n = ${n}"}]}
    ], "catch": [{"print": "failed: ${error}"}]},
    {"http_get_slow": "http//www.google.com", "delay_ms": 20, "as": "r", "then": [
      {"print": "${r.status} ${r.headers.location}"}]}
  ])~~", R"~~({"model": "node", "threads": 2, "http_latency_ms": 50})~~"));
  const std::string& js = p.source;
  CHECK(has(js, "fs.readFile(path.resolve(scenarioDir, `test.txt`), \"utf8\", (err, text) => {"));
  CHECK(has(js, "const error = fsError(err, `test.txt`);"));
  CHECK(has(js, "console.log(`${Buffer.byteLength(text)} bytes`);"));
  CHECK(has(js, "encrypt(Buffer.byteLength(text), 40, (err, n) => {"));
  CHECK(has(js, "crypto.pbkdf2("));
  CHECK(has(js, "httpGet(`${DELAY_SERVICE}/delay/20/url/http//www.google.com`"));
  CHECK(has(js, "30020, (err, r) => {"));
  CHECK(has(js, "console.log(`${r.status} ${r.headers.location}`);"));
  CHECK(has(js, "UV_THREADPOOL_SIZE=2 ELT_DELAY_PORT=<port> node"));
  CHECK(p.threads == 2);
  CHECK(p.uses_delay_service);
  CHECK(p.uses_pool_work);
  REQUIRE(p.approximations.size() == 3);
  CHECK(has(js, "Not reproduced exactly"));
  CHECK(has(p.approximations[0], "http_latency_ms"));
  CHECK(has(p.approximations[1], "delay_ms (100 ms at "));
  CHECK(has(p.approximations[2], "cost_ms"));
  CHECK(p.unsupported.empty());
}

TEST_CASE("export-js refuses to compare what Node reports in its own words", "[export]") {
  CHECK(has(export_js(parse(R"~~([{"http_get": "http://delay-service/garbage"}])~~")).unsupported, "/garbage"));
  CHECK(has(export_js(parse(R"~~([{"http_get": "http://example.com/"}])~~")).unsupported, "network"));
  CHECK(has(export_js(parse(R"~~([{"encrypt": 3, "as": "n", "then": [{"print": "${n.length}"}]}])~~")).unsupported,
            "${n.length}"));
  CHECK(export_js(parse(R"~~([{"http_get": "http://127.0.0.1:1/"}])~~")).unsupported.empty());
}

TEST_CASE("verify's variants change only what Node approximates", "[export]") {
  auto s = parse(R"~~([
    {"fs_read": "test.txt", "delay_ms": 100, "then": [{"encrypt": 3, "cost_ms": 40}]},
    {"set_timeout": 30, "then": []}
  ])~~", R"~~({"model": "node", "http_latency_ms": 50})~~");
  auto variants = elt::verify::approximation_variants(s);
  REQUIRE(variants.size() == 5);
  CHECK(variants[0].scenario.program[0].detail().delay.literal == 0);
  CHECK(variants[0].scenario.program[0].then[0].detail().cost_ms == 40);
  CHECK(variants[1].scenario.program[0].then[0].detail().cost_ms == 32);
  CHECK(variants[2].scenario.program[0].then[0].detail().cost_ms == 50);
  CHECK(variants[2].scenario.program[0].detail().delay.literal == 100);
  CHECK(variants[3].scenario.settings.http_latency_ms == 40);
  CHECK(variants[4].scenario.settings.http_latency_ms == 63);
  CHECK(variants[4].scenario.program[1].detail().number.literal == 30);
  CHECK(elt::verify::approximation_variants(parse(R"~~([{"set_timeout": 30, "then": []}])~~")).empty());
}

TEST_CASE("export-js keeps scenario text inside its literal or comment (issue 25)", "[export]") {
  // JSON escapes: \n newline, \u2028 line separator, \u001b ESC. The description goes into a
  // `//` comment, the rest into literals.
  auto p = export_js(parse_scenario(R"~~({"description": "a\nb\u2028c\u2029d */ e",
    "settings": {"model": "node"}, "program": [
    {"print": "1\n2\u2028`$${x}*/</script>\u001b"},
    {"print_content": "c", "label": "l\"\n\u2029"},
    {"repeat": 1, "as": "9i", "do": [{"print": "${9i}"}]}
  ]})~~", "s\nt.json", "."));
  const std::string& js = p.source;
  CHECK(has(js, "// s\\x0at.json, as a Node program"));
  CHECK(has(js, "//   a\\x0ab\\u{2028}c\\u{2029}d */ e\n"));
  CHECK(has(js, "console.log(`1\\n2\\u2028\\`\\${x}*\\/<\\/script>\\u001b`);"));
  CHECK(has(js, "printContent(`c`, \"L\\\"\\n\\u2029\");"));
  CHECK(has(js, "for (let _9i = 0; _9i < 1; _9i++) {"));
  CHECK(has(js, "console.log(`${_9i}`);"));
  // No raw line terminator anywhere but at the ends of lines.
  CHECK_FALSE(has(js, "\xe2\x80\xa8"));
  CHECK_FALSE(has(js, "\xe2\x80\xa9"));
  CHECK_FALSE(has(js, "\x1b"));
}

// The first console.log sets standard output up, and the node model charges it (first_print):
// an exported program that opened stdout ahead of the scenario would hide that cost from verify.
TEST_CASE("export-js leaves standard output to the program's first console.log", "[export]") {
  const std::string js = export_js(parse(R"~~([
    {"set_timeout": 0, "then": [{"print": "timeout"}]},
    {"set_immediate": [{"print": "immediate"}]},
    {"print": "main"}
  ])~~")).source;
  CHECK(has(js, "console.log(`main`);"));
  CHECK_FALSE(has(js, "process.stdout"));
}
