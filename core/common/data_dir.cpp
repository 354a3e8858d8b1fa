// See data_dir.h: the binary's folder, then ../share/eventloop-trace.
#include "common/data_dir.h"

#include <system_error>

namespace elt {

std::filesystem::path data_dir_for(const std::filesystem::path& binary) {
  // lexically_normal drops the "app/.." or "bin/.." so that messages show a plain path.
  return (binary.parent_path() / ".." / "share" / "eventloop-trace").lexically_normal();
}

std::filesystem::path data_dir() {
  // /proc/self/exe, not argv[0]: argv[0] is whatever the caller wrote (a bare name found on
  // PATH, a symlink's name), while the kernel's link names the file that is running.
  std::error_code error;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) return {};
  return data_dir_for(self);
}

std::optional<std::filesystem::path> find_data_file(std::string_view name) {
  std::filesystem::path dir = data_dir();
  if (dir.empty()) return std::nullopt;
  std::filesystem::path file = dir / name;
  std::error_code error;
  if (!std::filesystem::is_regular_file(file, error)) return std::nullopt;
  return file;
}

}  // namespace elt
