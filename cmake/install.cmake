# Installing eventloop-trace as a command: the binary, the files it reads at run time, its man
# page and shell completions, and a Debian package of the same (`cpack -G DEB` in a build
# folder). `cmake --install build/release` puts them under /usr/local:
#   bin/eventloop-trace
#   share/eventloop-trace/                      data_dir() (core/common/data_dir.h): the schema,
#                                               the example scenarios, later a cost profile
#   share/man/man1/eventloop-trace.1            made from the binary's --help (cmake/manpage.py)
#   share/bash-completion/completions/eventloop-trace
#   share/zsh/site-functions/_eventloop-trace   (share/zsh/vendor-completions/ under /usr)
include(GNUInstallDirs)

install(TARGETS eventloop-trace RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# The files a command may read at run time, from the source tree. Each is copied at build
# time to BUILD/share/eventloop-trace, which is data_dir() for BUILD/app/eventloop-trace, and
# installed to PREFIX/share/eventloop-trace, data_dir() for PREFIX/bin/eventloop-trace: the
# built and the installed binary find the same files. A new data file (a default cost
# profile) is one more line here.
set(ELT_DATA_FILES
  docs/scenario.schema.json
  data/costs/default.json
  data/js/parse.js
)
set(ELT_STAGED_DATA_DIR ${PROJECT_BINARY_DIR}/share/eventloop-trace)
set(staged)
foreach(file ${ELT_DATA_FILES})
  # A file under data/ keeps its folders (data/costs/default.json -> costs/default.json);
  # any other goes to the top of the data folder by its name.
  if(file MATCHES "^data/(.*)$")
    set(name ${CMAKE_MATCH_1})
  else()
    get_filename_component(name ${file} NAME)
  endif()
  get_filename_component(subdir ${name} DIRECTORY)
  add_custom_command(OUTPUT ${ELT_STAGED_DATA_DIR}/${name}
    COMMAND ${CMAKE_COMMAND} -E copy_if_different ${PROJECT_SOURCE_DIR}/${file} ${ELT_STAGED_DATA_DIR}/${name}
    DEPENDS ${PROJECT_SOURCE_DIR}/${file} VERBATIM)
  list(APPEND staged ${ELT_STAGED_DATA_DIR}/${name})
  install(FILES ${file} DESTINATION ${CMAKE_INSTALL_DATADIR}/eventloop-trace/${subdir})
endforeach()
add_custom_target(elt_data ALL DEPENDS ${staged})
add_dependencies(eventloop-trace elt_data)
# The example scenarios, for a person who has the package but not this repository
# (`eventloop-trace /usr/share/eventloop-trace/scenarios/book.json`).
install(DIRECTORY scenarios/ DESTINATION ${CMAKE_INSTALL_DATADIR}/eventloop-trace/scenarios)

# The man page, from the built binary's help and docs/man/eventloop-trace.1.in.
find_package(Python3 COMPONENTS Interpreter)
if(Python3_Interpreter_FOUND AND NOT CMAKE_CROSSCOMPILING)
  set(ELT_MAN_PAGE ${PROJECT_BINARY_DIR}/eventloop-trace.1)
  add_custom_command(OUTPUT ${ELT_MAN_PAGE}
    COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/cmake/manpage.py $<TARGET_FILE:eventloop-trace>
            ${PROJECT_SOURCE_DIR}/docs/man/eventloop-trace.1.in ${ELT_MAN_PAGE} ${PROJECT_VERSION}
    DEPENDS eventloop-trace ${PROJECT_SOURCE_DIR}/cmake/manpage.py ${PROJECT_SOURCE_DIR}/docs/man/eventloop-trace.1.in
    VERBATIM)
  add_custom_target(elt_man_page ALL DEPENDS ${ELT_MAN_PAGE})
  install(FILES ${ELT_MAN_PAGE} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
else()
  message(STATUS "No python3: the man page is not built")
endif()

# Where bash-completion and zsh look for a command's completions. Debian's zsh searches
# /usr/share/zsh/vendor-completions (for packages) and /usr/local/share/zsh/site-functions
# (for the rest), so the folder depends on the prefix at install time, not at configure
# time: cpack installs the same build under /usr that `cmake --install` puts in /usr/local.
install(FILES app/completions/eventloop-trace.bash DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
        RENAME eventloop-trace)
install(CODE [[
  set(ELT_ZSH_DIR site-functions)
  if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
    set(ELT_ZSH_DIR vendor-completions)
  endif()
]])
install(FILES app/completions/_eventloop-trace DESTINATION "${CMAKE_INSTALL_DATADIR}/zsh/\${ELT_ZSH_DIR}")

# The Debian package: `cpack -G DEB` in a build folder writes eventloop-trace_VERSION_ARCH.deb,
# with the same files under /usr. Its Depends line is worked out by dpkg-shlibdeps from the
# libraries the binary links (libfmt9, libedit2, libstdc++6, libc6...), not kept by hand.
set(CPACK_PACKAGE_NAME eventloop-trace)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Runs Node-style programs on a real event loop and traces them tick by tick")
string(CONCAT CPACK_PACKAGE_DESCRIPTION
    "eventloop-trace runs a small JSON program on a Node-like runtime built from real parts (a thread pool, "
    "an epoll thread, real timers) and prints what happens tick by tick and thread by thread, in the format "
    "of the book The Node Experiment or following Node 20's loop.")
set(CPACK_PACKAGE_CONTACT "eventloop-trace maintainers")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_GENERATOR DEB)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
# node: verify and export-js's programs run under it, and with node-acorn it reads a .js
# program (core/js/acorn.h); the rest of the tool needs neither.
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "nodejs, node-acorn, bash-completion")
include(CPack)
