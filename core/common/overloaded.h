// The usual helper for std::visit: one lambda per alternative.
#pragma once

namespace elt {

template <class... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

}  // namespace elt
