// Expressions over a program's variables (expr.h): a recursive-descent parser with one
// function per level of JavaScript's precedence, the evaluator, and the JavaScript form.
#include "scenario/expr.h"

#include <cctype>
#include <cstdint>
#include <limits>
#include <span>
#include <utility>

#include <fmt/format.h>

namespace elt::scenario::expr {

namespace {

struct Failed {
  SyntaxError error;
};

// The binary operators of one precedence level, longest spelling first (so that `<=` is
// not read as `<`).
struct Spelling {
  std::string_view text;
  Op op;
};
constexpr Spelling kOr[] = {{"||", Op::Or}};
constexpr Spelling kAnd[] = {{"&&", Op::And}};
constexpr Spelling kEquality[] = {{"===", Op::StrictEq}, {"!==", Op::StrictNe}};
constexpr Spelling kRelational[] = {{"<=", Op::Le}, {">=", Op::Ge}, {"<", Op::Lt}, {">", Op::Gt}};
constexpr Spelling kAdditive[] = {{"+", Op::Add}, {"-", Op::Sub}};
constexpr Spelling kMultiplicative[] = {{"*", Op::Mul}, {"%", Op::Mod}};

Expr make(Op op, Expr left, Expr right = nullptr) {
  auto n = std::make_shared<Node>();
  n->op = op;
  n->left = std::move(left);
  n->right = std::move(right);
  return n;
}

Expr literal(Value v) {
  auto n = std::make_shared<Node>();
  n->literal = std::move(v);
  return n;
}

class Parser {
 public:
  Parser(std::string_view text, const std::function<bool(const std::string&)>& is_bound)
      : text_(text), is_bound_(is_bound) {}

  Expr whole() {
    Expr e = binary(0);
    skip_space();
    if (pos_ < text_.size()) fail(fmt::format("unexpected \"{}\"", text_.substr(pos_, 1)));
    return e;
  }

 private:
  [[noreturn]] void fail(std::string what) const { throw Failed{{pos_, std::move(what)}}; }

  void skip_space() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }

  // `==` and `!=` are not `===` and `!==`: JavaScript converts between types for them.
  bool loose_equality_here() const {
    std::string_view rest = text_.substr(pos_);
    return (rest.starts_with("==") || rest.starts_with("!=")) && !rest.starts_with("===") && !rest.starts_with("!==");
  }

  std::optional<Op> take_operator(std::span<const Spelling> level) {
    skip_space();
    if (loose_equality_here()) fail("== and != convert between types; write === or !==");
    for (const Spelling& s : level) {
      if (text_.substr(pos_).starts_with(s.text)) {
        pos_ += s.text.size();
        return s.op;
      }
    }
    return std::nullopt;
  }

  // Levels from loosest (||) to tightest (* %); each operand is the next level's.
  Expr binary(std::size_t level) {
    static constexpr std::span<const Spelling> kLevels[] = {kOr, kAnd, kEquality, kRelational, kAdditive,
                                                            kMultiplicative};
    if (level == std::size(kLevels)) return unary();
    Expr left = binary(level + 1);
    while (auto op = take_operator(kLevels[level])) {
      // A chain `1 + 1 + ...` is parsed in this loop, but evaluated and written back by
      // recursion, one frame per operator: the cap bounds that depth.
      if (++operators_ > kMaxOperators) fail(fmt::format("more than {} operators", kMaxOperators));
      left = make(*op, std::move(left), binary(level + 1));
    }
    return left;
  }

  Expr unary() {
    skip_space();
    if (++depth_ > kMaxDepth) fail(fmt::format("nested deeper than {} levels", kMaxDepth));
    Expr e;
    if (pos_ < text_.size() && text_[pos_] == '!' && !loose_equality_here()) {
      ++pos_;
      e = make(Op::Not, unary());
    } else if (pos_ < text_.size() && text_[pos_] == '-') {
      ++pos_;
      e = make(Op::Negate, unary());
    } else {
      e = primary();
    }
    --depth_;
    return e;
  }

  Expr primary() {
    skip_space();
    if (pos_ >= text_.size()) fail("the expression ends where a value was expected");
    char c = text_[pos_];
    if (c == '(') {
      ++pos_;
      Expr e = binary(0);
      skip_space();
      if (pos_ >= text_.size() || text_[pos_] != ')') fail("expected \")\"");
      ++pos_;
      return e;
    }
    if (c == '\'' || c == '"') return literal(Value::string(quoted(c)));
    if (std::isdigit(static_cast<unsigned char>(c))) return literal(Value::integer(whole_number()));
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') return word();
    fail(fmt::format("unexpected \"{}\" where a value was expected", text_.substr(pos_, 1)));
  }

  std::string quoted(char quote) {
    std::string out;
    for (++pos_; pos_ < text_.size() && text_[pos_] != quote; ++pos_) {
      char c = text_[pos_];
      if (c == '\\' && pos_ + 1 < text_.size()) {
        char next = text_[++pos_];
        out += next == 'n' ? '\n' : next == 't' ? '\t' : next;
      } else {
        out += c;
      }
    }
    if (pos_ >= text_.size()) fail(fmt::format("the text has no closing {}", quote));
    ++pos_;
    return out;
  }

  std::int64_t whole_number() {
    std::size_t start = pos_;
    std::int64_t v = 0;
    while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) {
      if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, text_[pos_] - '0', &v)) {
        pos_ = start;
        fail("a number past 2^63");
      }
      ++pos_;
    }
    if (pos_ < text_.size() && (text_[pos_] == '.' || std::isalpha(static_cast<unsigned char>(text_[pos_])))) {
      fail("a number that is not a whole number");
    }
    return v;
  }

  Expr word() {
    std::size_t start = pos_;
    while (pos_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_')) ++pos_;
    std::string w(text_.substr(start, pos_ - start));
    if (w == "true" || w == "false") return literal(Value::boolean(w == "true"));
    if (w == "null") return literal(Value());
    if (pos_ < text_.size() && (text_[pos_] == '.' || text_[pos_] == '(' || text_[pos_] == '[')) {
      fail(fmt::format("\"{}{}\": an expression reads names only (no fields, calls or indexing)", w, text_[pos_]));
    }
    if (!is_bound_(w)) {
      pos_ = start;
      fail(fmt::format("no value named \"{}\" here", w));
    }
    auto n = std::make_shared<Node>();
    n->op = Op::Name;
    n->name = std::move(w);
    return n;
  }

  static constexpr int kMaxDepth = 64;  // ! and - and ( nested: a bound on our recursion
  static constexpr int kMaxOperators = 1000;  // far past a condition a person writes
  int operators_ = 0;
  std::string_view text_;
  const std::function<bool(const std::string&)>& is_bound_;
  std::size_t pos_ = 0;
  int depth_ = 0;
};

// ---- evaluation ----

const char* type_name(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::Null: return "null";
    case Value::Kind::Int: return "a number";
    case Value::Kind::String: return "text";
    case Value::Kind::Bool: return "a boolean";
  }
  return "a value";
}

// JavaScript's ToNumber, for the values where it gives a whole number without surprises.
std::int64_t number(const Value& v, const char* op) {
  if (v.kind() == Value::Kind::Int || v.kind() == Value::Kind::Bool) return v.as_int();
  if (v.is_null()) return 0;
  throw EvalError(fmt::format("{} needs numbers; found {} (\"{}\")", op, type_name(v), v.to_display()));
}

bool strictly_equal(const Value& a, const Value& b) {
  if (a.kind() != b.kind()) return false;
  if (a.kind() == Value::Kind::String) return a.as_string() == b.as_string();
  return a.as_int() == b.as_int();
}

Value arithmetic(Op op, const Value& l, const Value& r) {
  if (op == Op::Add && (l.kind() == Value::Kind::String || r.kind() == Value::Kind::String)) {
    return Value::string(l.to_display() + r.to_display());
  }
  const char* name = op == Op::Add ? "+" : op == Op::Sub ? "-" : op == Op::Mul ? "*" : "%";
  std::int64_t a = number(l, name);
  std::int64_t b = number(r, name);
  std::int64_t v = 0;
  bool overflow = false;
  if (op == Op::Add) overflow = __builtin_add_overflow(a, b, &v);
  if (op == Op::Sub) overflow = __builtin_sub_overflow(a, b, &v);
  if (op == Op::Mul) overflow = __builtin_mul_overflow(a, b, &v);
  if (op == Op::Mod) {
    if (b == 0) throw EvalError(fmt::format("{} % 0 is NaN in JavaScript, not a number a scenario can hold", a));
    v = (b == -1) ? 0 : a % b;  // C++'s % keeps the dividend's sign, as JavaScript's does
  }
  if (overflow) throw EvalError(fmt::format("{} {} {} is past 2^63", a, name, b));
  return Value::integer(v);
}

bool compare(Op op, const Value& l, const Value& r) {
  const char* name = op == Op::Lt ? "<" : op == Op::Le ? "<=" : op == Op::Gt ? ">" : ">=";
  int order = 0;
  if (l.kind() == Value::Kind::String && r.kind() == Value::Kind::String) {
    order = l.as_string().compare(r.as_string());
  } else {
    std::int64_t a = number(l, name);
    std::int64_t b = number(r, name);
    order = a < b ? -1 : a > b ? 1 : 0;
  }
  switch (op) {
    case Op::Lt: return order < 0;
    case Op::Le: return order <= 0;
    case Op::Gt: return order > 0;
    default: return order >= 0;
  }
}

}  // namespace

Parsed parse(std::string_view text, const std::function<bool(const std::string&)>& is_bound) {
  try {
    return Parsed{Parser(text, is_bound).whole(), std::nullopt};
  } catch (const Failed& f) {
    return Parsed{nullptr, f.error};
  }
}

bool truthy(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::Null: return false;
    case Value::Kind::Int:
    case Value::Kind::Bool: return v.as_int() != 0;
    case Value::Kind::String: return !v.as_string().empty();
  }
  return false;
}

Value evaluate(const Node& n, const std::function<std::optional<Value>(const std::string&)>& lookup) {
  switch (n.op) {
    case Op::Literal: return n.literal;
    case Op::Name: {
      auto v = lookup(n.name);
      if (!v) throw EvalError(fmt::format("\"{}\" is not bound", n.name));
      return *v;
    }
    case Op::Not: return Value::boolean(!truthy(evaluate(*n.left, lookup)));
    case Op::Negate: return arithmetic(Op::Sub, Value::integer(0), evaluate(*n.left, lookup));
    case Op::And:
    case Op::Or: {
      // Short-circuit, and the operand itself is the result, as in JavaScript.
      Value l = evaluate(*n.left, lookup);
      if (truthy(l) == (n.op == Op::Or)) return l;
      return evaluate(*n.right, lookup);
    }
    default: break;
  }
  Value l = evaluate(*n.left, lookup);
  Value r = evaluate(*n.right, lookup);
  switch (n.op) {
    case Op::StrictEq: return Value::boolean(strictly_equal(l, r));
    case Op::StrictNe: return Value::boolean(!strictly_equal(l, r));
    case Op::Lt:
    case Op::Le:
    case Op::Gt:
    case Op::Ge: return Value::boolean(compare(n.op, l, r));
    default: return arithmetic(n.op, l, r);
  }
}

std::string to_js(const Node& n, const std::function<std::string(const std::string&)>& name,
                  const std::function<std::string(std::string_view)>& quote) {
  static constexpr std::pair<Op, std::string_view> kSpelled[] = {
      {Op::Mul, "*"}, {Op::Mod, "%"},  {Op::Add, "+"},  {Op::Sub, "-"},        {Op::Lt, "<"},
      {Op::Le, "<="}, {Op::Gt, ">"},   {Op::Ge, ">="},  {Op::StrictEq, "==="}, {Op::StrictNe, "!=="},
      {Op::And, "&&"}, {Op::Or, "||"},
  };
  switch (n.op) {
    case Op::Literal: return n.literal.kind() == Value::Kind::String ? quote(n.literal.as_string()) : n.literal.to_display();
    case Op::Name: return name(n.name);
    case Op::Not: return fmt::format("!{}", to_js(*n.left, name, quote));
    case Op::Negate: return fmt::format("(-{})", to_js(*n.left, name, quote));  // never `--x`
    default: break;
  }
  std::string_view op;
  for (const auto& [o, text] : kSpelled) {
    if (o == n.op) op = text;
  }
  return fmt::format("({} {} {})", to_js(*n.left, name, quote), op, to_js(*n.right, name, quote));
}

}  // namespace elt::scenario::expr
