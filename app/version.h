// What `eventloop-trace --version` prints.
#pragma once

#include <string>

namespace elt::app {

// The tool's version (CMake's project VERSION), the Node and libuv releases the node model
// follows, and the data folder this binary reads.
std::string version_text();

}  // namespace elt::app
