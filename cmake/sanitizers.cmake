# ASan+UBSan go together; TSan must be built apart (it cannot be combined with ASan).
if(ELT_SANITIZE)
  if(ELT_SANITIZE MATCHES "thread" AND ELT_SANITIZE MATCHES "address")
    message(FATAL_ERROR "ELT_SANITIZE: ThreadSanitizer cannot be combined with AddressSanitizer")
  endif()
  add_compile_options(-fsanitize=${ELT_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${ELT_SANITIZE})
endif()
