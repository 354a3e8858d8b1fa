# Warnings live on an INTERFACE target so every project target opts in the same way.
add_library(elt_warnings INTERFACE)
target_compile_options(elt_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion
  -Wnon-virtual-dtor -Wold-style-cast -Woverloaded-virtual
  -Wimplicit-fallthrough
  # GCC 12 reports std::optional<std::string> members as "maybe uninitialized" (GCC bug 105562).
  $<$<CXX_COMPILER_ID:GNU>:-Wno-maybe-uninitialized>
  $<$<BOOL:${ELT_WERROR}>:-Werror>)
