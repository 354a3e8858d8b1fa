// The JavaScript front end's translator: a learner's program, as acorn's ESTree, becomes a
// scenario (docs/scenario-format.md), written as the JSON text a teacher could keep.
//
// It accepts the JavaScript today's actions can say (docs/javascript.md lists it): console.log
// of text, the timers and their clears by a const handle, process.nextTick, queueMicrotask,
// Promise.resolve/reject with .then/.catch chains, fs.readFile, crypto.pbkdf2, http.get, a
// busy-wait on Date.now(), counted for loops, and named functions used as callbacks (their
// body is put where they are used, as the scenario has no functions). Everything else is
// refused with its place and the name a learner knows it by: the program is never run
// half-understood. Pure: no I/O, any thread.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

namespace elt::js {

struct Translation {
  std::string json;  // the scenario, as `import-js` prints it
  // Where each action came from in the .js file, by the action's JSON pointer
  // ("/program/0/then/1"): line and column (both 1-based).
  std::map<std::string, std::pair<std::size_t, std::size_t>> positions;
};

// `program` is acorn's tree of the file `file` (named in messages and the description).
// Throws scenario::ScenarioError (exit 2) at the first construct it cannot translate:
// `file:LINE:COLUMN: <construct> is not supported yet; supported: ...`.
Translation translate(const nlohmann::json& program, const std::string& file);

// What the refusals list as supported: one line, for messages and docs.
extern const char kSupported[];

}  // namespace elt::js
