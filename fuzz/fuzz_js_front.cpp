// libFuzzer target: the JavaScript front end's translator (core/js/translate.h) on ESTree
// JSON, the form acorn gives it. node is not run here: the seeds are acorn's trees of the
// programs in tests/js/ (fuzz/corpus/js_front/), and the fuzzer mutates those trees.
//
// The contract under test: a tree of any shape ends in a translation or a ScenarioError
// that names the file; nothing else escapes (no nlohmann exception, no crash, no undefined
// behaviour, no stack overflow). And a translation must hold up:
// - its JSON is a scenario the parser accepts, or refuses with a ScenarioError (a delay
//   out of range, say), as load_js.cpp relies on;
// - every action of the parsed scenario has a .js position (line and column >= 1 when
//   the tree gave one), so that every trace line can cite program.js:LINE.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "js/translate.h"
#include "scenario/scenario.h"

namespace {

const std::string kFile = "fuzz-input.js";

[[noreturn]] void fail(const char* what, std::string_view detail) {
  std::fprintf(stderr, "fuzz_js_front: %s\n  detail: %.*s\n", what, static_cast<int>(detail.size()), detail.data());
  std::abort();
}

void check_positions(const std::vector<elt::scenario::Action>& actions, const elt::js::Translation& t) {
  for (const auto& a : actions) {
    if (!t.positions.contains(a.json_path)) fail("an action without a .js position", a.json_path);
    check_positions(a.then, t);
    check_positions(a.detail().on_error, t);
    for (const auto& step : a.detail().chain) check_positions(step.body, t);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto tree = nlohmann::json::parse(text, nullptr, false);
  if (tree.is_discarded()) return 0;  // acorn writes JSON; the translator never sees anything else
  elt::js::Translation t;
  try {
    t = elt::js::translate(tree, kFile);
  } catch (const elt::scenario::ScenarioError& e) {
    if (e.file() != kFile) fail("a refusal that does not name the file", e.what());
    return 0;
  }
  try {
    const auto s = elt::scenario::parse_scenario(t.json, kFile, "/nonexistent/fuzz-base");
    check_positions(s.program, t);
  } catch (const elt::scenario::ScenarioError&) {
    // load_js.cpp cites the closest .js position for these; a refusal is an answer.
  }
  return 0;
}
