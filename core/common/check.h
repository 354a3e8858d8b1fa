// Invariant checks that stay on in release builds: a broken invariant in a runtime that
// teaches how runtimes work must fail loudly, never limp on.
#pragma once

#include <source_location>
#include <string_view>

namespace elt {

[[noreturn]] void invariant_failed(std::string_view what, std::source_location where);

inline void ensure(bool condition, std::string_view what,
                   std::source_location where = std::source_location::current()) {
  if (!condition) invariant_failed(what, where);
}

// Throws std::system_error naming the failed call, with errno.
[[noreturn]] void throw_errno(std::string_view call);

}  // namespace elt
