#include "CLibFuzzer.h"

#include <stddef.h>
#include <stdint.h>

// libFuzzer's entry for programs with a main of their own: SwiftPM gives every executable one (it links
// `main` to `<module>_main`), so libFuzzer's own main can never be the one that runs.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

// Each fuzz executable defines this, with @_cdecl.
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int dbscout_fuzz_main(int argc, char **argv) {
    return LLVMFuzzerRunDriver(&argc, &argv, LLVMFuzzerTestOneInput);
}
