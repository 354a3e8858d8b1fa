// The console module as a scenario calls it (Node's console.log): a line, or a
// response's content as the book prints it.
//
// A Console holds the loop it prints on, and nothing else: the lines go to the loop's
// tracer, and what a write costs is charged to the loop thread, which is where Node's
// console.log runs. Make one where it is needed (`Console(rt).print(...)`).
// Thread contract: loop thread only; every call checks it (Runtime::assert_in_loop_thread).
#pragma once

#include <string_view>

#include "loop/runtime.h"

namespace elt {

class Console {
 public:
  explicit Console(Runtime& loop) : loop_(loop) {}

  void print(std::string_view message);
  // The first two lines of `content`, then its first Location line, under `label`.
  void print_content(std::string_view content, std::string_view label);

 private:
  Runtime& loop_;
};

}  // namespace elt
