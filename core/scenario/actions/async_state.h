// What a run keeps for promises as values (scenario/actions/async.cpp): the promises the
// scenario names ("id"), the latest of each name, as handles are; and each async function
// waiting at an await: its result promise and the action it is, found from the scope its
// continuation runs in. Loop thread only, owned by the run's interpreter.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

#include "modules/http_stream.h"
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

// An http_server's handler, kept for its listen (scenario/actions/http_events.cpp).
struct HttpServerDef {
  const Action* action = nullptr;  // the http_server action: its handler and names
  ScopePtr scope;                  // where it was created: the handler's closure
  CallbackId id = 0;               // the runtime's server once listening; 0 before
};

struct AsyncState {
  std::unordered_map<std::string, PromisePtr> promises;
  std::unordered_map<std::string, ThenablePtr> thenables;  // objects with a then method, by name
  std::unordered_map<std::int64_t, TryFrame> tries;         // by the number its block's scope binds
  std::unordered_map<std::int64_t, AsyncFrame> frames;  // by the number its scope binds
  std::int64_t next_frame = 0;
  // The http client's responses and the servers, by the names the scenario gives them, the
  // latest of each name, as promises are (scenario/actions/http_events.cpp).
  std::unordered_map<std::string, std::shared_ptr<IncomingMessage>> responses;
  std::unordered_map<std::string, HttpServerDef> servers;
};

}  // namespace elt::scenario
