// The specs each family file defines, for registry.cpp to list in ActionKind's order.
#pragma once

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

}  // namespace elt::scenario::actions
