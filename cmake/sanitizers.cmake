# ASan+UBSan go together; TSan must be built apart (it cannot be combined with ASan).
if(ELT_SANITIZE)
  if(ELT_SANITIZE MATCHES "thread" AND ELT_SANITIZE MATCHES "address")
    message(FATAL_ERROR "ELT_SANITIZE: ThreadSanitizer cannot be combined with AddressSanitizer")
  endif()
  add_compile_options(-fsanitize=${ELT_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${ELT_SANITIZE})
  if(ELT_SANITIZE MATCHES "undefined")
    # Without UBSan's vptr check. It reads the vtable only after probing the memory with a
    # pipe(2), and when the process has no descriptor left that probe fails and a correct
    # virtual call is reported as "object has invalid vptr <memory cannot be printed>"
    # (GCC 12's libsanitizer: a make_shared object released under `ulimit -n 64` with every
    # descriptor open is enough). robust.fd_limit runs out of descriptors on purpose.
    # ASan still checks every access to freed or foreign memory.
    add_compile_options(-fno-sanitize=vptr)
  endif()
endif()
