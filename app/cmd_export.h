// `eventloop-trace export-js SCENARIO`: the scenario as a standalone Node program, on
// standard output (core/export/js_export.h says what it contains).
#pragma once

#include <functional>
#include <optional>

#include <CLI/CLI.hpp>

namespace elt::app {

// Adds the subcommand; the returned function runs it when it was parsed (nullopt if not)
// and gives the exit code.
std::function<std::optional<int>()> add_export_command(CLI::App& app);

}  // namespace elt::app
