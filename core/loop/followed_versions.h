// The releases that --model node follows, in one place for `--version` and the docs:
// Node 20's JavaScript layer on libuv 1.46's uv_run (docs/models.md, loop/model.h).
// Changing these means re-reading the node model against those sources and docs/models.md.
#pragma once

#include <string_view>

namespace elt {

inline constexpr std::string_view kNodeFollowed = "20";
inline constexpr std::string_view kLibuvFollowed = "1.46";

}  // namespace elt
