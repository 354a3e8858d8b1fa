#include <catch2/catch.hpp>

#include <unordered_set>

#include "common/ids.h"

TEST_CASE("callback ids are unique and grow with registration order", "[ids]") {
  elt::IdGenerator ids;
  std::unordered_set<elt::CallbackId> seen;
  elt::CallbackId previous = 0;
  for (int i = 0; i < 100000; ++i) {
    elt::CallbackId id = ids.next();
    CHECK(id > previous);
    previous = id;
    REQUIRE(seen.insert(id).second);
  }
  CHECK(ids.last() == 100000);
}

TEST_CASE("the first id is 1, as in the book", "[ids]") {
  elt::IdGenerator ids;
  CHECK(ids.next() == 1);
  CHECK(ids.next() == 2);
}
