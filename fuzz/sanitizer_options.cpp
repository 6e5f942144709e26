// Linked into every fuzz target: make UBSan findings fatal, so libFuzzer sees
// them as crashes and saves the input. The project compiles with recoverable
// -fsanitize=undefined; without this a UB report would only be printed.
// UBSAN_OPTIONS in the environment still overrides these.
extern "C" const char* __ubsan_default_options() {
  return "halt_on_error=1:print_stacktrace=1:print_summary=1";
}
