// The callback id counter.
//
// Mirrors the book's `identity_token`, without its fault: the book's collision loop had its
// condition inverted. A 64-bit counter that only grows cannot collide (it would take
// centuries to wrap at a billion ids a second), so no collision check is needed at all.
// Loop thread only.
#pragma once

#include "common/time.h"

namespace elt {

class IdGenerator {
 public:
  CallbackId next() { return ++last_; }
  CallbackId last() const { return last_; }

 private:
  CallbackId last_ = 0;
};

}  // namespace elt
