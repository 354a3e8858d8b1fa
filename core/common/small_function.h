// A move-only callable with room for a small capture inline: the runtime's callbacks.
//
// std::function keeps a capture inline only if it is trivially copyable and at most 16
// bytes; a scenario callback captures a reference-counted scope, so every one of a
// million timers would cost a heap allocation. This keeps captures up to 24 bytes inline
// (falling back to the heap for larger ones) and never copies. Not thread-safe; it is a
// value like any other.
#pragma once

#include <cstddef>
#include <new>
#include <type_traits>
#include <utility>

namespace elt {

template <class Signature>
class SmallFunction;

template <class R, class... Args>
class SmallFunction<R(Args...)> {
 public:
  SmallFunction() = default;

  template <class F, class = std::enable_if_t<!std::is_same_v<std::decay_t<F>, SmallFunction>>>
  SmallFunction(F&& f) {  // NOLINT(google-explicit-constructor): used like std::function
    using Fn = std::decay_t<F>;
    if constexpr (sizeof(Fn) <= kInline && alignof(Fn) <= alignof(Storage) &&
                  std::is_nothrow_move_constructible_v<Fn>) {
      new (&storage_) Fn(std::forward<F>(f));
      ops_ = &inline_ops<Fn>;
    } else {
      new (&storage_) Fn*(new Fn(std::forward<F>(f)));
      ops_ = &heap_ops<Fn>;
    }
  }

  SmallFunction(SmallFunction&& other) noexcept : ops_(other.ops_) {
    if (ops_ != nullptr) ops_->move(&storage_, &other.storage_);
    other.ops_ = nullptr;
  }
  SmallFunction& operator=(SmallFunction&& other) noexcept {
    if (this != &other) {
      reset();
      ops_ = other.ops_;
      if (ops_ != nullptr) ops_->move(&storage_, &other.storage_);
      other.ops_ = nullptr;
    }
    return *this;
  }
  SmallFunction(const SmallFunction&) = delete;
  SmallFunction& operator=(const SmallFunction&) = delete;
  ~SmallFunction() { reset(); }

  explicit operator bool() const { return ops_ != nullptr; }
  R operator()(Args... args) { return ops_->invoke(&storage_, std::forward<Args>(args)...); }

 private:
  static constexpr std::size_t kInline = 24;
  using Storage = std::aligned_storage_t<kInline, alignof(void*)>;

  struct Ops {
    R (*invoke)(void*, Args&&...);
    void (*move)(void* dst, void* src);  // leaves src destroyed
    void (*destroy)(void*);
  };

  template <class Fn>
  static constexpr Ops inline_ops = {
      [](void* p, Args&&... args) -> R { return (*static_cast<Fn*>(p))(std::forward<Args>(args)...); },
      [](void* dst, void* src) {
        new (dst) Fn(std::move(*static_cast<Fn*>(src)));
        static_cast<Fn*>(src)->~Fn();
      },
      [](void* p) { static_cast<Fn*>(p)->~Fn(); }};

  template <class Fn>
  static constexpr Ops heap_ops = {
      [](void* p, Args&&... args) -> R { return (**static_cast<Fn**>(p))(std::forward<Args>(args)...); },
      [](void* dst, void* src) { new (dst) Fn*(*static_cast<Fn**>(src)); },
      [](void* p) { delete *static_cast<Fn**>(p); }};

  void reset() {
    if (ops_ != nullptr) ops_->destroy(&storage_);
    ops_ = nullptr;
  }

  Storage storage_;
  const Ops* ops_ = nullptr;
};

}  // namespace elt
