// The JavaScript front end's parser: acorn (Debian's node-acorn), run by `node`, turns a
// learner's program into an ESTree (the syntax tree every JavaScript tool shares).
//
// A JavaScript parser of our own would disagree with Node on some corner of the grammar;
// acorn is the parser webpack, rollup and eslint's espree build on. It runs in a child
// `node` confined by Node's permission model to reading its own script and acorn's folder
// (no writes, no network use, no child processes), with a time and an output bound, and is
// given the source on its standard input. Any thread may call parse_estree; it blocks.
#pragma once

#include <stdexcept>
#include <string>

namespace elt::js {

// node or acorn cannot be run (a broken environment: exit 1).
class JsEnvironmentError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Where acorn is looked for: $ELT_ACORN_DIR when set (tests point it elsewhere), else
// Debian's /usr/share/nodejs/acorn. node is $ELT_NODE when set, else `node` on PATH.
std::string acorn_dir();

// The ESTree of `source` (acorn, ecmaVersion 2022, a script, with locations) as JSON text.
// A syntax error is bad input: ScenarioError naming file:line:column and acorn's message.
std::string parse_estree(const std::string& source, const std::string& file);

}  // namespace elt::js
