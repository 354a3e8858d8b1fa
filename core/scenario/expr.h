// Expressions over a program's variables: what `let`, `set` and `if` compute (issue 21).
//
// A scenario had no variables, only names its callbacks bind; a program that counts (an
// interval that clears itself at its third run, "all done" after the last of N reads)
// needs arithmetic and conditions over values that change. The syntax is a small subset
// of JavaScript's own, so that a learner reads it as the program it stands for and
// export-js writes it back unchanged:
//
//   literals   0  -3  'text'  "text"  true  false  null
//   names      count        (any name in scope: a variable, a callback's value, an index)
//   operators  !x  -x   *  %   +  -   <  <=  >  >=   ===  !==   &&   ||   ( ... )
//
// with JavaScript's precedence and its meaning for the values a scenario has: `+` joins
// when either side is text and adds otherwise; `&&` and `||` give one of their operands;
// a condition is true unless it is false, 0, '' or null. What would need JavaScript's
// other conversions ('3' * 2, 1 < 'a', 7 % 0, past 2^63) is an error where it runs, as a
// template naming an unbound field is; there is no `/` (its result is rarely whole).
//
// A parsed expression is immutable; the interpreter evaluates it on the loop thread.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "common/value.h"

namespace elt::scenario::expr {

enum class Op { Literal, Name, Not, Negate, Mul, Mod, Add, Sub, Lt, Le, Gt, Ge, StrictEq, StrictNe, And, Or };

struct Node {
  Op op = Op::Literal;
  Value literal;                     // Literal
  std::string name;                  // Name
  std::shared_ptr<const Node> left;  // the operand of a unary operator, or the left of a binary one
  std::shared_ptr<const Node> right;
};

using Expr = std::shared_ptr<const Node>;

// What parse() found wrong: `offset` is where in the text (0-based).
struct SyntaxError {
  std::size_t offset = 0;
  std::string what;
};

// An expression, or what is wrong with it. `is_bound` says whether a name is in scope.
struct Parsed {
  Expr expr;
  std::optional<SyntaxError> error;
};
Parsed parse(std::string_view text, const std::function<bool(const std::string&)>& is_bound);

// A value the program cannot compute ('3' * 2, an unbound name): the message, without a place.
struct EvalError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Evaluates on the loop thread; `lookup` gives a name's current value (nullopt: unbound).
Value evaluate(const Node& node, const std::function<std::optional<Value>(const std::string&)>& lookup);

// JavaScript's truthiness, for the values a scenario has.
bool truthy(const Value& v);

// The expression as JavaScript, fully parenthesised; `name` maps a scenario name to the
// program's variable, `quote` writes a string literal.
std::string to_js(const Node& node, const std::function<std::string(const std::string&)>& name,
                  const std::function<std::string(std::string_view)>& quote);

}  // namespace elt::scenario::expr
