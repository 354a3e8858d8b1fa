#include "js/load_js.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "js/acorn.h"

namespace elt::js {

namespace {

// The same bound as a JSON scenario (parser.cpp): a teaching program is a few kilobytes.
constexpr std::uintmax_t kMaxSourceBytes = 64u << 20;

std::string read_source(const std::filesystem::path& file) {
  const std::string name = file.string();
  std::error_code error;
  const auto status = std::filesystem::status(file, error);
  if (error) throw scenario::ScenarioError(name, "", fmt::format("cannot open the program: {}", error.message()));
  if (std::filesystem::is_directory(status)) throw scenario::ScenarioError(name, "", "is a directory, not a program");
  if (!std::filesystem::is_regular_file(status)) {
    throw scenario::ScenarioError(name, "", "is not a regular file (a device or a pipe?)");
  }
  if (std::filesystem::file_size(file, error) > kMaxSourceBytes) {
    throw scenario::ScenarioError(name, "", "is larger than 64 MiB; that is not a teaching program");
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) throw scenario::ScenarioError(name, "", fmt::format("cannot open the program: {}", std::strerror(errno)));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The JSON pointer in a parser message's "(at /program/0/then/1)", or empty.
std::string pointer_in(const std::string& where) {
  const auto at = where.find("(at ");
  if (at == std::string::npos) return {};
  const auto end = where.find(')', at);
  return where.substr(at + 4, end == std::string::npos ? std::string::npos : end - at - 4);
}

template <typename F>
void for_each_action(std::vector<scenario::Action>& actions, const F& f) {
  for (scenario::Action& a : actions) {
    f(a);
    for_each_action(a.then, f);
    if (!a.has_detail()) continue;
    for_each_action(a.edit_detail().on_error, f);
    for (auto& step : a.edit_detail().chain) for_each_action(step.body, f);
  }
}

}  // namespace

bool is_js_path(std::string_view path) { return path.ends_with(".js") || path.ends_with(".cjs"); }

Translation translate_file(const std::filesystem::path& file) {
  const std::string name = file.string();
  const std::string tree_text = parse_estree(read_source(file), name);
  const auto tree = nlohmann::json::parse(tree_text, nullptr, false);
  if (tree.is_discarded()) throw JsEnvironmentError("acorn's output is not JSON: the parser script is broken");
  return translate(tree, name);
}

scenario::Scenario load_js_scenario(const std::filesystem::path& file, std::optional<std::uint64_t> actions) {
  return scenario_from(translate_file(file), file, actions);
}

scenario::Scenario scenario_from(const Translation& t, const std::filesystem::path& file,
                                 std::optional<std::uint64_t> actions) {
  const std::string name = file.string();
  std::filesystem::path base = file.parent_path();
  if (base.empty()) base = ".";
  scenario::Scenario s;
  try {
    s = scenario::parse_scenario(t.json, name, base, actions);
  } catch (const scenario::ScenarioError& e) {
    // The translation is checked like any scenario (a delay out of range, too many actions):
    // the message keeps the parser's words and cites the .js line of the action it names,
    // or of the closest enclosing one.
    std::string pointer = pointer_in(e.where());
    while (!pointer.empty() && !t.positions.contains(pointer)) pointer.erase(pointer.rfind('/'));
    if (pointer.empty()) throw scenario::ScenarioError(name, "", e.problem());
    const auto [line, column] = t.positions.at(pointer);
    throw scenario::ScenarioError(name, fmt::format("{}:{}", line, column), e.problem());
  }
  for_each_action(s.program, [&t](scenario::Action& a) {
    auto it = t.positions.find(a.json_path);
    a.line = it == t.positions.end() ? 0 : it->second.first;
    a.column = it == t.positions.end() ? 0 : it->second.second;
  });
  return s;
}

}  // namespace elt::js
