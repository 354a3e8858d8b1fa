#include "common/check.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <system_error>

namespace elt {

void invariant_failed(std::string_view what, std::source_location where) {
  std::fprintf(stderr, "eventloop-trace: internal error: %.*s (%s:%u)\n",
               static_cast<int>(what.size()), what.data(), where.file_name(), where.line());
  std::abort();
}

void throw_errno(std::string_view call) {
  throw std::system_error(errno, std::generic_category(), std::string(call));
}

}  // namespace elt
