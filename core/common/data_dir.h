// Where eventloop-trace finds the files it ships beside its binary: the scenario JSON Schema,
// the example scenarios, and any other data a command reads at run time (a default cost
// profile, say).
//
// One rule for every layout: DIR/../share/eventloop-trace, where DIR is the folder of the
// running binary (/proc/self/exe). Installed under a prefix (`cmake --install`, the .deb),
// that is PREFIX/share/eventloop-trace; in a build tree (build/release/app/eventloop-trace)
// it is build/release/share/eventloop-trace, where the build copies the same files from the
// source tree (cmake/install.cmake lists them). So a file found by an installed binary is
// found by the freshly built one too, and no source path is compiled into the binary: a
// moved install keeps working. Any thread may call these; they only read.
#pragma once

#include <filesystem>
#include <optional>
#include <string_view>

namespace elt {

// The data folder for the running binary; empty when /proc/self/exe cannot be read (no /proc).
std::filesystem::path data_dir();

// DIR/../share/eventloop-trace for a binary at `binary`.
std::filesystem::path data_dir_for(const std::filesystem::path& binary);

// data_dir()/name when that file exists.
std::optional<std::filesystem::path> find_data_file(std::string_view name);

}  // namespace elt
