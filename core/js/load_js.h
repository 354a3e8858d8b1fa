// A `.js` file as a scenario: read it, parse it with acorn (acorn.h), translate it
// (translate.h), and build the Scenario with the same parser a JSON file goes through,
// with each action placed at its line and column in the .js file, so that traces, step's
// views and messages cite program.js:LINE. Any thread; blocks while node parses.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string_view>

#include "js/translate.h"
#include "scenario/scenario.h"

namespace elt::js {

// A path the command line treats as JavaScript: it ends in ".js" (or ".cjs").
bool is_js_path(std::string_view path);

// The file's text through acorn and the translator (import-js prints its json).
Translation translate_file(const std::filesystem::path& file);

// The Scenario a .js file is. It runs under the node model unless --model says otherwise.
scenario::Scenario load_js_scenario(const std::filesystem::path& file,
                                    std::optional<std::uint64_t> actions = std::nullopt);

// The Scenario of a translation already made (import-js checks what it prints with it).
scenario::Scenario scenario_from(const Translation& t, const std::filesystem::path& file,
                                 std::optional<std::uint64_t> actions = std::nullopt);

}  // namespace elt::js
