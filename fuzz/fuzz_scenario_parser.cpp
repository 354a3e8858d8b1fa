// libFuzzer target: elt::scenario::parse_scenario on arbitrary bytes.
//
// The contract under test (scenario.h): bad input of any kind ends in a ScenarioError that
// names the file; nothing else may escape. So the only exception caught here is
// ScenarioError, and its message is checked. Anything else - another exception type
// (std::terminate, "deadly signal" with the throw site on the stack), a crash, a leak,
// undefined behaviour, a stack overflow, a hang (-timeout) or a memory blow-up
// (-rss_limit_mb) - is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/scenario.h"

namespace {

const std::string kFile = "fuzz-input.json";
const std::filesystem::path kBaseDir = "/nonexistent/fuzz-base";

[[noreturn]] void fail(const char* what, std::string_view detail) {
  std::fprintf(stderr, "fuzz_scenario_parser: %s\n  detail: %.*s\n", what, static_cast<int>(detail.size()),
               detail.data());
  std::abort();
}

void check_actions(const std::vector<elt::scenario::Action>& actions, int depth) {
  // parse_scenario promises to refuse callbacks nested deeper than kMaxNesting.
  if (depth > elt::scenario::kMaxNesting + 1) fail("accepted callbacks nested too deeply", "");
  for (const auto& a : actions) {
    if (a.json_path.empty() || a.json_path[0] != '/') fail("action without a JSON path", a.json_path);
    check_actions(a.then, depth + 1);
    check_actions(a.on_error, depth + 1);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const elt::scenario::Scenario s = elt::scenario::parse_scenario(text, kFile, kBaseDir);
    if (s.file != kFile) fail("Scenario::file is not the name passed in", s.file);
    if (s.base_dir != kBaseDir) fail("Scenario::base_dir is not the folder passed in", s.base_dir.string());
    check_actions(s.program, 0);
  } catch (const elt::scenario::ScenarioError& e) {
    const std::string_view what = e.what();
    if (what.empty()) fail("ScenarioError with an empty message", what);
    if (!what.starts_with(kFile)) fail("ScenarioError message does not start with the file name", what);
    if (e.file() != kFile) fail("ScenarioError::file() is not the file name", e.file());
    if (e.problem().empty()) fail("ScenarioError without a problem", what);
  }
  // Any other exception propagates: libFuzzer reports it as a crash with the throw site.
  return 0;
}
