// Scopes (scenario/scope.h): a repeat's per-iteration binding is reused in place only when
// nothing else holds it, so a callback that kept an iteration's scope keeps its value.
#include <catch2/catch.hpp>

#include <string>

#include "scenario/scope.h"

using namespace elt;
using namespace elt::scenario;

TEST_CASE("rebind reuses a scope nobody kept, and leaves a kept one alone", "[scope]") {
  const std::string name = "i";
  const ScopePtr top = bind_name(ScopePtr(), name, Value::integer(-1));
  ScopePtr slot;
  rebind(slot, top, name, Value::integer(0));
  const Scope* first = slot.get();
  REQUIRE(first->parent.get() == top.get());
  rebind(slot, top, name, Value::integer(1));
  REQUIRE(slot.get() == first);  // nothing kept iteration 0: the same scope, in place
  REQUIRE(slot.get()->value.as_int() == 1);

  ScopePtr kept = slot;  // a callback of iteration 1 keeps it, as a closure would
  rebind(slot, top, name, Value::integer(2));
  REQUIRE(slot.get() != first);
  REQUIRE(kept.get()->value.as_int() == 1);  // what the callback sees did not change
  REQUIRE(slot.get()->value.as_int() == 2);
  REQUIRE(slot.get()->parent.get() == top.get());

  const std::string other = "j";  // another name (or another parent) never shares a scope
  const Scope* before = slot.get();
  rebind(slot, top, other, Value::integer(3));
  REQUIRE(slot.get() != before);
  REQUIRE(*slot.get()->name == "j");
}
