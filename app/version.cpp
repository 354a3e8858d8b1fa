// `--version`: three lines, the first in the usual "NAME VERSION" shape that scripts parse.
#include "version.h"

#include <filesystem>
#include <system_error>

#include <fmt/format.h>

#include "common/data_dir.h"
#include "loop/followed_versions.h"

namespace elt::app {

std::string version_text() {
  std::filesystem::path data = data_dir();
  std::error_code error;
  // Said when missing, so that a broken install shows here before a command needs a file.
  std::string state = data.empty()                                ? "unknown (no /proc/self/exe)"
                      : std::filesystem::is_directory(data, error) ? data.string()
                                                                   : data.string() + " (missing)";
  return fmt::format("eventloop-trace {}\n--model node follows Node {} (libuv {})\ndata files: {}", ELT_VERSION,
                     kNodeFollowed, kLibuvFollowed, state);
}

}  // namespace elt::app
