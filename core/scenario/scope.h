// The names a running scenario sees (`as`, repeat's index, `error`): a chain of scopes
// towards the program's top level. Each callback keeps its chain alive, as a JavaScript
// closure keeps its variables.
// Reference-counted by hand, without atomics: scopes live on the loop thread only, and a
// one-pointer handle lets a callback's capture fit std::function's inline storage (a
// million timers then cost no extra allocation each).
#pragma once

#include <cstddef>
#include <string>
#include <utility>

#include "common/value.h"

namespace elt::scenario {

struct Scope;
class ScopePtr {
 public:
  ScopePtr() = default;
  explicit ScopePtr(Scope* s);
  ScopePtr(const ScopePtr& other);
  ScopePtr(ScopePtr&& other) noexcept : s_(std::exchange(other.s_, nullptr)) {}
  ScopePtr& operator=(ScopePtr other) noexcept {
    std::swap(s_, other.s_);
    return *this;
  }
  ~ScopePtr() {
    if (s_ != nullptr) release(s_);
  }
  const Scope* get() const { return s_; }
  // For `set`, the one action that changes a binding (see find_binding).
  Scope* get_mutable() const { return s_; }
  // No other handle shares the scope: changing it in place cannot be seen elsewhere.
  bool unique() const;
  Scope* get_unique() { return unique() ? s_ : nullptr; }

 private:
  static void release(Scope* s);
  Scope* s_ = nullptr;
};

// One name bound to one value.
struct Scope {
  std::size_t refs = 0;
  ScopePtr parent;
  const std::string* name;  // points into the Scenario, which outlives the run
  Value value;
};

inline ScopePtr::ScopePtr(Scope* s) : s_(s) { ++s_->refs; }
inline ScopePtr::ScopePtr(const ScopePtr& other) : s_(other.s_) {
  if (s_ != nullptr) ++s_->refs;
}
inline void ScopePtr::release(Scope* s) {
  // Iterative, so that a long chain cannot overflow the stack when it goes.
  while (s != nullptr && --s->refs == 0) {
    Scope* parent = s->parent.s_;
    s->parent.s_ = nullptr;
    delete s;
    s = parent;
  }
}

inline bool ScopePtr::unique() const { return s_ != nullptr && s_->refs == 1; }

inline ScopePtr bind_name(ScopePtr parent, const std::string& name, Value value) {
  return ScopePtr(new Scope{0, std::move(parent), &name, std::move(value)});
}

// The binding `name` refers to from `scope`, for `set` to change: nullptr when unbound.
// JavaScript's closures share a variable rather than copy it, and so do scopes here: every
// callback made where the name was in scope holds this same Scope, so it reads the new
// value next time. Loop thread only, like every scope; what a pool thread is handed is a
// Value copied out of it, never the Scope.
inline Value* find_binding(const ScopePtr& scope, const std::string& name) {
  for (Scope* s = scope.get_mutable(); s != nullptr; s = s->parent.get_mutable()) {
    if (*s->name == name) return &s->value;
  }
  return nullptr;
}

// Binds `name` to `value` in `slot`, below `parent`: a loop's fresh binding per iteration
// (JavaScript's `for (let i ...)`). When no callback kept the previous iteration's scope,
// nothing can see it any more, so it is reused in place instead of freed and allocated
// again: 100,000 iterations of a body whose callbacks name no variable then allocate one
// scope, not 100,000. A callback that did keep it keeps its own value, as a closure does.
inline void rebind(ScopePtr& slot, const ScopePtr& parent, const std::string& name, Value value) {
  if (Scope* s = slot.get_unique(); s != nullptr && s->parent.get() == parent.get() && s->name == &name) {
    s->value = std::move(value);
    return;
  }
  slot = bind_name(parent, name, std::move(value));
}

}  // namespace elt::scenario
