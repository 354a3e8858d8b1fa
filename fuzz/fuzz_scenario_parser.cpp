// libFuzzer target: elt::scenario::parse_scenario on arbitrary bytes.
//
// The contract under test (scenario.h): bad input of any kind ends in a ScenarioError that
// names the file; nothing else may escape. So the only exception caught here is
// ScenarioError, and its message is checked. Anything else - another exception type
// (std::terminate, "deadly signal" with the throw site on the stack), a crash, a leak,
// undefined behaviour, a stack overflow, a hang (-timeout) or a memory blow-up
// (-rss_limit_mb) - is a finding.
//
// The JSON front end follows nlohmann's SAX events through the text to know where each
// value starts, so two more oracles check that it stays in step: every parsed action's
// line:column is a '{' in the input, and every line:column in a message is inside it.
// And it must agree with nlohmann's own parser (json::accept) on what is valid JSON.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "scenario/scenario.h"

namespace {

const std::string kFile = "fuzz-input.json";
const std::filesystem::path kBaseDir = "/nonexistent/fuzz-base";

[[noreturn]] void fail(const char* what, std::string_view detail) {
  std::fprintf(stderr, "fuzz_scenario_parser: %s\n  detail: %.*s\n", what, static_cast<int>(detail.size()),
               detail.data());
  std::abort();
}

// Byte offset of a 1-based line:column, or npos if the text has no such place.
std::size_t offset_of(std::string_view text, std::size_t line, std::size_t column) {
  std::size_t start = 0;
  for (std::size_t l = 1; l < line; ++l) {
    start = text.find('\n', start);
    if (start == std::string_view::npos) return start;
    ++start;
  }
  std::size_t end = text.find('\n', start);
  if (end == std::string_view::npos) end = text.size();
  if (column == 0 || start + column - 1 > end) return std::string_view::npos;
  return start + column - 1;
}

void check_actions(std::string_view text, const std::vector<elt::scenario::Action>& actions, int depth) {
  // parse_scenario promises to refuse callbacks nested deeper than kMaxNesting.
  if (depth > elt::scenario::kMaxNesting + 1) fail("accepted callbacks nested too deeply", "");
  for (const auto& a : actions) {
    if (a.json_path.empty() || a.json_path[0] != '/') fail("action without a JSON path", a.json_path);
    // The parser follows nlohmann's SAX events through the text to place every value; if it
    // fell out of step, the place it gives would not be an object's '{'.
    std::size_t at = offset_of(text, a.line, a.column);
    if (at == std::string_view::npos || text[at] != '{') fail("action's line:column is not its '{'", a.json_path);
    check_actions(text, a.then, depth + 1);
    check_actions(text, a.detail().on_error, depth + 1);
  }
}

// A location in a message ("12:5" or "12:5 (at /program/0)") must be a place in the text
// (one past the end for a truncated file).
void check_where(std::string_view text, const std::string& where) {
  std::size_t line = 0;
  std::size_t column = 0;
  if (std::sscanf(where.c_str(), "%zu:%zu", &line, &column) != 2) return;
  std::size_t at = offset_of(text, line, column);
  if (at == std::string_view::npos || at > text.size()) fail("error location outside the text", where);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const elt::scenario::Scenario s = elt::scenario::parse_scenario(text, kFile, kBaseDir);
    if (s.file != kFile) fail("Scenario::file is not the name passed in", s.file);
    if (s.base_dir != kBaseDir) fail("Scenario::base_dir is not the folder passed in", s.base_dir.string());
    check_actions(text, s.program, 0);
    // Differential: what the SAX front end accepts, nlohmann's own parser accepts too.
    if (!nlohmann::json::accept(text)) fail("accepted text that nlohmann::json::accept refuses", text);
  } catch (const elt::scenario::ScenarioError& e) {
    const std::string_view what = e.what();
    if (what.empty()) fail("ScenarioError with an empty message", what);
    if (!what.starts_with(kFile)) fail("ScenarioError message does not start with the file name", what);
    if (e.file() != kFile) fail("ScenarioError::file() is not the file name", e.file());
    if (e.problem().empty()) fail("ScenarioError without a problem", what);
    check_where(text, e.where());
    // ...and what it calls invalid JSON, nlohmann refuses too.
    if (e.problem().starts_with("invalid JSON") && nlohmann::json::accept(text)) {
      fail("refused as invalid JSON text that nlohmann::json::accept accepts", what);
    }
  }
  // Any other exception propagates: libFuzzer reports it as a crash with the throw site.
  return 0;
}
