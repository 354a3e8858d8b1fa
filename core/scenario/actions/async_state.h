// What a run keeps for promises as values (scenario/actions/async.cpp): the promises the
// scenario names ("id"), the latest of each name, as handles are; and each async function
// waiting at an await: its result promise and the action it is, found from the scope its
// continuation runs in. Loop thread only, owned by the run's interpreter.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

#include "modules/promises.h"
#include "scenario/scenario.h"
#include "scenario/scope.h"

namespace elt::scenario {

struct AsyncFrame {
  PromisePtr result;  // what the call returned: settled when the body ends
  const Action* fn = nullptr;
};

// A try statement an async body is inside: where it was entered (the scope its catch,
// finally and the rest of the body after it run in) and which action it is.
struct TryFrame {
  const Action* statement = nullptr;
  ScopePtr outer;
};

struct AsyncState {
  std::unordered_map<std::string, PromisePtr> promises;
  std::unordered_map<std::string, ThenablePtr> thenables;  // objects with a then method, by name
  std::unordered_map<std::int64_t, TryFrame> tries;         // by the number its block's scope binds
  std::unordered_map<std::int64_t, AsyncFrame> frames;  // by the number its scope binds
  std::int64_t next_frame = 0;
};

}  // namespace elt::scenario
