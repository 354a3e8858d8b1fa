// The specs each family file defines, for registry.cpp to list in ActionKind's order.
#pragma once

#include <nlohmann/json.hpp>

#include "scenario/actions/action.h"

namespace elt::scenario::actions {

extern const ActionSpec kPrint, kPrintContent;                          // output.cpp
extern const ActionSpec kSetTimeout, kSetInterval, kSetImmediate;        // timers.cpp
extern const ActionSpec kClearTimeout, kClearInterval, kClearImmediate;  // timers.cpp
extern const ActionSpec kNextTick, kQueueMicrotask;                      // queues.cpp
extern const ActionSpec kPromise;                                        // promise.cpp
extern const ActionSpec kFsRead;                                         // fs.cpp
extern const ActionSpec kEncrypt;                                        // crypto.cpp
extern const ActionSpec kHttpGetSlow, kHttpGet;                          // http.cpp
extern const ActionSpec kRepeat, kBlock;                                 // control.cpp
extern const ActionSpec kLet, kSet, kIf, kUnref, kRef;                   // state.cpp
extern const ActionSpec kNewPromise, kResolvePromise, kRejectPromise, kPromiseThen;  // async.cpp
extern const ActionSpec kAsync, kAwait, kSleep, kOnUnhandledRejection, kReadFile;     // async.cpp
extern const ActionSpec kThenable, kTry, kThrow;                                       // async.cpp
extern const ActionSpec kPromiseAll, kPromiseRace, kPromiseAllSettled, kPromiseAny;   // async.cpp
extern const ActionSpec kHttpGetStream, kOnData, kOnEnd, kResume, kSetEncoding;       // http_events.cpp
extern const ActionSpec kHttpServer, kListen, kRespond, kCloseServer;                 // http_events.cpp

// promise.cpp's steps, which promise_then shares: `adopt` allows "return_promise".
std::vector<PromiseStep> parse_promise_chain(ActionReader& r, const nlohmann::json& j, const std::string& path,
                                             int depth, bool adopt);
void export_promise_steps(JsWriter& w, const Action& a, const std::vector<PromiseStep>& chain, std::string& out);
void schema_promise_steps(nlohmann::ordered_json& defs);

}  // namespace elt::scenario::actions
